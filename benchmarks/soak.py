"""Soak benchmark: 20,000 mixed updates with 5% injected faults through ``mensch-bot run``.

The real bot runs as a subprocess against the fake Bot API server (bot/testing/fakeapi.py,
real HTTP on 127.0.0.1, long polling, rate limiting off). The mix (private questions, group
messages addressed and not, inline queries, button presses, hostile texts), the faults (429,
403, 500, hang-ups, slow answers) and the checks are those of bot/testing/soak.py; the test
suite runs the same with 1,500 updates.

Prints updates per second, updates answered, faults by kind, the bot's resident memory at the
end of each quarter, and every problem found. Exit status 1 when there was a problem or the
memory grew by 10% or more from the end of the first quarter to the end.

Run from the repository root::

    python benchmarks/soak.py [--count 20000] [--fault-rate 0.05] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bot.testing.soak import Soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="updates (default 20000)")
    parser.add_argument("--fault-rate", type=float, default=0.05, help="share of sends faulted")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = Soak(args.count, Path(tmp), args.fault_rate, args.seed).run()
    faults = sum(result.faults.values())
    print(f"{result.updates} updates in {result.seconds:.1f} s: "
          f"{result.updates / result.seconds:.0f} updates/s")  # fmt: skip
    print(f"answered: {result.answered} addressed updates (messages sent or refused with "
          f"403, inline queries, button presses)")  # fmt: skip
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(result.faults.items()))
    print(f"faults injected: {faults} ({kinds})")
    quarters = ", ".join(f"Q{i + 1} {kb / 1024:.1f} MiB" for i, kb in enumerate(result.rss_kb))
    print(f"RSS at the end of each quarter: {quarters}; growth Q1→end {result.rss_growth:+.1%}")
    print(f"exit status after SIGTERM: {result.exit_code}")
    for problem in result.problems[:50]:
        print("PROBLEM:", problem)
    print(f"problems: {len(result.problems)}")
    ok = not result.problems and result.exit_code == 0 and result.rss_growth < 0.10
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
