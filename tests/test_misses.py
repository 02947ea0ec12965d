"""``mensch-bot misses``: grouping, ordering, closest entry, date filter and the sub-command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import run_cli

from bot.curation.misses import group_records, parse_since, summarise
from bot.curation.unanswered import UnansweredLog
from bot.curation.unanswered_reader import read_records
from bot.loading.config import UnansweredSettings
from bot.pipeline.reply import Reply
from bot.testing.config import write_config

ROOT = Path(__file__).parent.parent
CONFIG = ROOT / "config.yaml"


def write_log(path: Path, rows: list[tuple[str, str, int, str]]) -> None:
    """Rows of (question, kind, day of May 2024, logged best entry), written by the real log."""
    for question, kind, day, entry in rows:
        moment = dt.datetime(2024, 5, day, 12, 0, tzinfo=dt.timezone.utc)
        log = UnansweredLog(UnansweredSettings(path=path), clock=lambda m=moment: m)
        reply = Reply(
            kind=kind, question=question, script="hant", confidence=30.0, top=((entry, 30.0),)
        )
        log.record(reply, "telegram", "private")


ROWS = [
    ("今天天氣如何", "fallback", 1, "portable"),
    ("你們的股價是多少?", "fallback", 2, "background"),
    ("你們的股價是多少?", "fallback", 3, "background"),
    ("你们的股价是多少", "fallback", 4, "oss_value"),  # Simplified: same normalised form
    ("你們的股價是多少呢", "suggest", 5, "background"),  # near-duplicate (ratio 94)
    ("今天天氣如何?", "fallback", 6, "portable"),
    ("what about GPUs?", "fallback", 7, "into_genai"),
    ("  你們的股價  是多少??", "fallback", 8, "background"),
]


def test_groups_near_duplicates_most_frequent_first(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(path, ROWS)
    groups = group_records(read_records(path).records)
    assert [(g.count, g.example) for g in groups] == [
        (5, "你們的股價是多少?"),
        (2, "今天天氣如何"),
        (1, "what about GPUs?"),
    ]
    first = groups[0]
    assert dict(first.forms) == {
        "你們的股價是多少?": 2,
        "你们的股价是多少": 1,
        "你們的股價是多少呢": 1,
        "你們的股價 是多少??": 1,
    }
    assert dict(first.kinds) == {"fallback": 4, "suggest": 1}
    assert first.logged_top.most_common(1) == [("background", 4)]
    assert first.last == dt.datetime(2024, 5, 8, 12, 0, tzinfo=dt.timezone.utc)


def test_questions_below_the_ratio_stay_apart(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(path, [("開源模型好嗎", "fallback", 1, "x"), ("閉源模型好嗎", "fallback", 1, "x")])
    groups = group_records(read_records(path).records)
    assert {g.example for g in groups} == {"開源模型好嗎", "閉源模型好嗎"}


def test_wordless_questions_form_one_group(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(
        path,
        [
            ("🤔🤔", "fallback", 1, "x"),
            ("???", "fallback", 2, "x"),
            ("hi there", "fallback", 3, "x"),
        ],
    )
    groups = group_records(read_records(path).records)
    assert [(g.key, g.count) for g in groups] == [("", 2), ("hi there", 1)]


def test_summary_text_with_logged_entries(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(path, ROWS)
    with open(path, "ab") as handle:
        handle.write(b'{"time": "2024-05-09T00:00:00Z", "question": "cut sho')  # a crash
    assert summarise(path, None, None) == (
        f"Unanswered questions in {path}: 8 record(s) in 3 group(s); "
        "1 malformed line(s) skipped.\n"
        "\n"
        "5 × 你們的股價是多少?\n"
        "    closest: background (logged best 4 of 5); logged as fallback 4, suggest 1\n"
        "    also: 你们的股价是多少 ×1; 你們的股價 是多少?? ×1; 你們的股價是多少呢 ×1\n"
        "2 × 今天天氣如何\n"
        "    closest: portable (logged best 2 of 2); logged as fallback 2\n"
        "    also: 今天天氣如何? ×1\n"
        "1 × what about GPUs?\n"
        "    closest: into_genai (logged best 1 of 1); logged as fallback 1\n"
    )


def test_since_keeps_later_days_only(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(path, ROWS)
    text = summarise(path, dt.date(2024, 5, 6), None)
    assert text.startswith(
        f"Unanswered questions in {path} since 2024-05-06: 3 record(s) in 3 group(s)."
    )
    assert "1 × 今天天氣如何?" in text
    assert "你们的股价" not in text


def test_rotated_files_are_included(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(Path(f"{path}.1"), ROWS[:4])
    write_log(path, ROWS[4:])
    text = summarise(path, None, None)
    assert text.startswith(f"Unanswered questions in {path} (+1 rotated): 8 record(s) in 3 group")


def test_empty_and_missing_logs(tmp_path):
    assert summarise(tmp_path / "none.jsonl", None, None) == (
        f"No unanswered-question log at {tmp_path / 'none.jsonl'}.\n"
    )
    path = tmp_path / "u.jsonl"
    write_log(path, ROWS[:1])
    assert summarise(path, dt.date(2024, 6, 1), None) == (
        f"No unanswered questions in {path} since 2024-06-01.\n"
    )


def test_closest_entry_comes_from_the_current_engine(tmp_path, engine):
    entry = engine.knowledge.entries[0]
    out_of_scope = "今天天氣如何"
    path = tmp_path / "u.jsonl"
    # The first question was a miss when it was logged; the knowledge now answers it.
    write_log(path, [(entry.variants[0], "fallback", 1, "stale_id")] * 2)
    write_log(path, [(out_of_scope, "fallback", 2, "stale_id")])
    text = summarise(path, None, engine)
    lines = text.splitlines()
    assert lines[2] == f"2 × {' '.join(entry.variants[0].split())}"
    assert lines[3].startswith(f"    closest: {entry.id} (")
    assert "; now answer); logged as fallback 2" in lines[3]
    reply = engine.answer(out_of_scope)
    best, confidence = reply.top[0]
    assert lines[5] == (
        f"    closest: {best} ({confidence:.1f}; now {reply.kind}); logged as fallback 1"
    )
    assert "stale_id" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, None), ("2024-05-11", dt.date(2024, 5, 11)), ("2024-02-29", dt.date(2024, 2, 29))],
)
def test_parse_since_accepts(text, expected):
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["20240511", "2024-5-11", "yesterday", "2023-02-29", ""])
def test_parse_since_rejects(text):
    with pytest.raises(ValueError, match="--since must be"):
        parse_since(text)


# -- the sub-command -----------------------------------------------------------------------


def run(argv: list[str]) -> tuple[int, str, str]:
    """``mensch-bot ARGV`` in process: (exit status, stdout, stderr)."""
    result = run_cli(*argv)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("2024-13-01", "--since must be a real date YYYY-MM-DD, got '2024-13-01'"),
        ("11/05/2024", "--since must be a date YYYY-MM-DD, got '11/05/2024'"),
        ("2024-05-11T00:00", "--since must be a date YYYY-MM-DD, got '2024-05-11T00:00'"),
    ],
)
def test_bad_date_is_one_clear_line_and_exit_2(tmp_path, bad, problem):
    status, out, err = run(
        ["--config", str(CONFIG), "misses", "--since", bad, "--log", str(tmp_path)]
    )
    assert status == 2
    assert out == ""
    assert err.splitlines() == [f"mensch-bot misses: {problem}"]


def test_command_prints_the_summary(tmp_path):
    path = tmp_path / "u.jsonl"
    write_log(path, ROWS)
    status, out, err = run(
        ["--config", str(CONFIG), "misses", "--since", "2024-05-02", "--log", str(path)]
    )
    assert status == 0, err
    assert out.startswith(f"Unanswered questions in {path} since 2024-05-02: 7 record(s) in ")
    assert "5 × 你們的股價是多少?" in out


def test_command_with_log_off_and_no_path_exits_2(tmp_path):
    config = write_config(tmp_path, unanswered="unanswered: {}")
    status, out, err = run(["--config", str(config), "misses"])
    assert status == 2
    assert err.splitlines() == [
        f"mensch-bot misses: the unanswered log is off (no unanswered.path in {config}); "
        "give --log PATH"
    ]


def test_command_with_a_bad_config_exits_2(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("knowledge: [not, a, path]\n", encoding="utf-8")
    status, _, err = run(["--config", str(config), "misses", "--log", str(tmp_path / "u.jsonl")])
    assert status == 2
    assert err == f"{config}:1: knowledge must be a directory path\n"
