"""Soak test (reduced size): 1,500 mixed updates with 5% injected faults against the real
``mensch-bot run`` subprocess; see ``soak.py`` for the mix, the faults and what counts as
answered. The full 20,000 is ``benchmarks/soak.py``."""

from __future__ import annotations

import pytest

from bot.testing.soak import Soak


@pytest.mark.slow  # the real command as a process, 1,500 updates
def test_soak_1500_updates_with_faults(tmp_path):
    result = Soak(1500, tmp_path).run()
    assert result.problems == []
    assert result.exit_code == 0
    assert result.updates >= 1500 and result.answered >= 700
    assert sum(result.faults.values()) >= 20  # faults really were injected
    assert {"429", "500", "hang-up", "slow", "403"} <= set(result.faults)
    assert result.rss_growth < 0.10, result.rss_kb
