"""The unanswered-question log: records, privacy defaults, rotation, crash safety, settings."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

import pytest

from bot.curation.unanswered import UnansweredLog
from bot.curation.unanswered_reader import log_files, read_records
from bot.errors import DataError
from bot.loading.config import UnansweredSettings, load_config
from bot.pipeline.reply import Reply
from bot.testing.config import write_config

ROOT = Path(__file__).parent.parent
MOMENT = dt.datetime(2024, 5, 11, 8, 30, 0, 123000, tzinfo=dt.timezone.utc)


def fixed_clock(moment: dt.datetime = MOMENT):
    return lambda: moment


def fallback(question: str = "你們的股價是多少?") -> Reply:
    return Reply(
        kind="fallback",
        question=question,
        script="hant",
        confidence=21.44,
        top=(("business_model", 21.44), ("open_source", 18.05), ("europe_partners", 12.0)),
    )


def suggest(question: str = "开源模型") -> Reply:
    return Reply(
        kind="suggest",
        question=question,
        script="hans",
        confidence=48.96,
        top=(("open_source", 48.96), ("open_weights", 46.5)),
    )


def make_log(tmp_path: Path, **overrides) -> UnansweredLog:
    settings = UnansweredSettings(path=tmp_path / "logs" / "unanswered.jsonl", **overrides)
    return UnansweredLog(settings, clock=fixed_clock())


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\n")


# -- records -------------------------------------------------------------------------------


def test_fallback_record_has_the_documented_fields(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback(), "telegram", "private", user_id=4242, chat_id=-1001)
    path = tmp_path / "logs" / "unanswered.jsonl"
    assert lines_of(path)[-1] == ""  # the file ends with a newline
    (line,) = lines_of(path)[:-1]
    assert json.loads(line) == {
        "time": "2024-05-11T08:30:00.123Z",
        "channel": "telegram",
        "chat_type": "private",
        "kind": "fallback",
        "script": "hant",
        "question": "你們的股價是多少?",
        "confidence": 21.4,
        "top": [
            {"entry": "business_model", "confidence": 21.4},
            {"entry": "open_source", "confidence": 18.1},
            {"entry": "europe_partners", "confidence": 12.0},
        ],
    }
    assert log.written == 1 and log.failed == 0


def test_chinese_is_written_as_utf8_not_escapes(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback(), "console", None)
    raw = (tmp_path / "logs" / "unanswered.jsonl").read_bytes()
    assert "股價".encode() in raw
    assert b"\\u" not in raw


def test_answers_and_smalltalk_are_not_logged(tmp_path):
    log = make_log(tmp_path)
    log.record(Reply(kind="answer", question="開源", script="hant", entry_id="x"), "t", "private")
    log.record(Reply(kind="smalltalk", question="你好", script="hant"), "t", "private")
    assert not (tmp_path / "logs" / "unanswered.jsonl").exists()
    log.record(suggest(), "telegram", "group")
    records = read_records(tmp_path / "logs" / "unanswered.jsonl").records
    assert [(r["kind"], r["question"], r["chat_type"]) for r in records] == [
        ("suggest", "开源模型", "group")
    ]
    assert records[0]["top"] == [
        {"entry": "open_source", "confidence": 49.0},
        {"entry": "open_weights", "confidence": 46.5},
    ]


def test_log_off_writes_nothing(tmp_path):
    log = UnansweredLog(UnansweredSettings(path=None))
    log.record(fallback(), "telegram", "private")
    assert log.written == 0
    assert list(tmp_path.iterdir()) == []


def test_privacy_defaults_leave_out_user_and_chat_ids(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback(), "telegram", "supergroup", user_id=4242, chat_id=-1001234)
    raw = (tmp_path / "logs" / "unanswered.jsonl").read_text(encoding="utf-8")
    record = json.loads(raw)
    assert "user_id" not in record and "chat_id" not in record
    assert "4242" not in raw and "1001234" not in raw


def test_ids_are_written_only_when_asked_for(tmp_path):
    log = make_log(tmp_path, include_user_ids=True)
    log.record(fallback(), "telegram", "group", user_id=4242, chat_id=-1001234)
    (record,) = read_records(tmp_path / "logs" / "unanswered.jsonl").records
    assert record["user_id"] == 4242
    assert "chat_id" not in record

    log = UnansweredLog(
        UnansweredSettings(
            path=tmp_path / "both.jsonl", include_user_ids=True, include_chat_ids=True
        ),
        clock=fixed_clock(),
    )
    log.record(fallback(), "telegram", "group", user_id=7, chat_id=-99)
    (record,) = read_records(tmp_path / "both.jsonl").records
    assert (record["user_id"], record["chat_id"]) == (7, -99)


def test_hostile_questions_stay_on_one_line_and_round_trip(tmp_path):
    questions = [
        "line one\nline two\r\nthree",
        "sep\u2028para\u2029next\x85nel\x1cfs",  # str.splitlines() would break these
        '"quoted" \\ back\\slash {"json": 1}',
        "\u202eRTL override \u200b\u200d zero width e\u0301",
    ]
    log = make_log(tmp_path)
    for q in questions:
        log.record(fallback(q), "telegram", "private")
    path = tmp_path / "logs" / "unanswered.jsonl"
    assert path.read_bytes().count(b"\n") == len(questions)
    contents = read_records(path)
    assert contents.malformed == 0
    assert [r["question"] for r in contents.records] == questions


def test_lone_surrogates_are_replaced_not_fatal(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback("bad \ud800 surrogate \udfff"), "telegram", "private")
    (record,) = read_records(tmp_path / "logs" / "unanswered.jsonl").records
    assert record["question"] == "bad \ufffd surrogate \ufffd"


def test_long_question_is_cut_and_its_length_kept(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback("問" * 100_000), "telegram", "private")
    (record,) = read_records(tmp_path / "logs" / "unanswered.jsonl").records
    assert record["question"] == "問" * 1000
    assert record["question_chars"] == 100_000


def test_time_is_utc_iso_even_from_another_zone(tmp_path):
    paris = dt.timezone(dt.timedelta(hours=2))
    log = UnansweredLog(
        UnansweredSettings(path=tmp_path / "u.jsonl"),
        clock=fixed_clock(dt.datetime(2024, 5, 11, 1, 15, tzinfo=paris)),
    )
    log.record(fallback(), "telegram", "private")
    (record,) = read_records(tmp_path / "u.jsonl").records
    assert record["time"] == "2024-05-10T23:15:00.000Z"
    assert record["_time"] == dt.datetime(2024, 5, 10, 23, 15, tzinfo=dt.timezone.utc)


def test_default_clock_is_now_in_utc(tmp_path):
    log = UnansweredLog(UnansweredSettings(path=tmp_path / "u.jsonl"))
    before = dt.datetime.now(dt.timezone.utc)
    log.record(fallback(), "telegram", "private")
    after = dt.datetime.now(dt.timezone.utc)
    (record,) = read_records(tmp_path / "u.jsonl").records
    assert record["time"].endswith("Z")
    assert before - dt.timedelta(milliseconds=1) <= record["_time"] <= after


def test_file_is_private_to_the_bot_user(tmp_path):
    log = make_log(tmp_path)
    log.record(fallback(), "telegram", "private")
    mode = os.stat(tmp_path / "logs" / "unanswered.jsonl").st_mode & 0o777
    assert mode & 0o077 == 0


def test_unwritable_log_is_counted_not_raised(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log folder should be")
    log = UnansweredLog(UnansweredSettings(path=blocker / "u.jsonl"))
    log.record(fallback(), "telegram", "private")
    assert (log.written, log.failed) == (0, 1)


def test_threads_write_whole_lines(tmp_path):
    log = make_log(tmp_path, max_bytes=20_000, backups=50)

    def worker(n: int) -> None:
        for i in range(50):
            log.record(fallback(f"thread {n} question {i} " + "字" * (i % 7)), "t", "group")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    contents = read_records(tmp_path / "logs" / "unanswered.jsonl")
    assert contents.malformed == 0
    assert len(contents.records) == 400
    assert len({r["question"] for r in contents.records}) == 400


# -- rotation ------------------------------------------------------------------------------


def test_rotation_caps_size_and_keeps_backups(tmp_path):
    log = make_log(tmp_path, max_bytes=4096, backups=2)
    path = tmp_path / "logs" / "unanswered.jsonl"
    for i in range(200):
        log.record(fallback(f"question number {i:03d} " + "x" * 60), "telegram", "private")
    files = log_files(path)
    assert [f.name for f in files] == [
        "unanswered.jsonl.2",
        "unanswered.jsonl.1",
        "unanswered.jsonl",
    ]
    assert all(f.stat().st_size <= 4096 for f in files)
    assert not Path(f"{path}.3").exists()
    contents = read_records(path)
    numbers = [int(r["question"].split()[2]) for r in contents.records]
    # The newest records survive, oldest file first, in order, with none missing in between.
    assert numbers == list(range(numbers[0], 200))
    assert numbers[0] > 0  # the oldest were dropped with the file beyond ``backups``
    assert contents.malformed == 0


def test_rotation_with_no_backups_restarts_the_file(tmp_path):
    log = make_log(tmp_path, max_bytes=4096, backups=0)
    path = tmp_path / "logs" / "unanswered.jsonl"
    for i in range(100):
        log.record(fallback(f"q{i} " + "y" * 80), "telegram", "private")
    assert log_files(path) == [path]
    assert path.stat().st_size <= 4096
    last = read_records(path).records[-1]
    assert last["question"].startswith("q99 ")


def test_a_line_longer_than_the_cap_is_still_written_whole(tmp_path):
    log = make_log(tmp_path, max_bytes=4096, backups=1)
    path = tmp_path / "logs" / "unanswered.jsonl"
    log.record(fallback("short"), "t", "private")
    log.record(fallback("\U00020000" * 1000), "t", "private")  # 4,000 bytes of UTF-8 + record
    assert path.stat().st_size > 4096
    log.record(fallback("after"), "t", "private")
    contents = read_records(path)
    # "short" went with the file rotated out beyond backups=1; the long line is whole in .1.
    assert [r["question"][:2] for r in contents.records] == ["\U00020000" * 2, "af"]
    assert contents.records[0]["question"] == "\U00020000" * 1000
    assert contents.malformed == 0


# -- crash safety --------------------------------------------------------------------------


def test_truncated_last_line_is_skipped_and_counted(tmp_path):
    log = make_log(tmp_path)
    path = tmp_path / "logs" / "unanswered.jsonl"
    log.record(fallback("first"), "telegram", "private")
    log.record(fallback("second"), "telegram", "private")
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # a crash in the middle of the second line
    contents = read_records(path)
    assert [r["question"] for r in contents.records] == ["first"]
    assert contents.malformed == 1


def test_next_record_after_a_cut_line_starts_on_a_fresh_line(tmp_path):
    log = make_log(tmp_path)
    path = tmp_path / "logs" / "unanswered.jsonl"
    log.record(fallback("first"), "telegram", "private")
    log.record(fallback("second"), "telegram", "private")
    path.write_bytes(path.read_bytes()[:-25])
    log.record(fallback("third"), "telegram", "private")
    contents = read_records(path)
    assert [r["question"] for r in contents.records] == ["first", "third"]
    assert contents.malformed == 1


def test_reader_skips_every_kind_of_malformed_line(tmp_path):
    path = tmp_path / "u.jsonl"
    good = json.dumps({"time": "2024-05-11T00:00:00.000Z", "question": "ok", "top": []})
    path.write_bytes(
        b"\n".join(
            [
                good.encode(),
                b"not json",
                b"[1, 2, 3]",
                b'{"time": "2024-05-11T00:00:00Z"}',  # no question
                b'{"time": "yesterday", "question": "q"}',
                b'{"time": "2024-05-11T00:00:00", "question": "naive time"}',
                b'{"time": "2024-05-11T00:00:00Z", "question": "q", "top": [1]}',
                b"\xff\xfe not utf-8",
                b"",
                good.encode(),
            ]
        )
        + b"\n"
    )
    contents = read_records(path)
    assert [r["question"] for r in contents.records] == ["ok", "ok"]
    assert contents.malformed == 7


def test_reader_reads_backups_oldest_first_and_filters_by_date(tmp_path):
    path = tmp_path / "u.jsonl"

    def line(day: int, q: str) -> str:
        return json.dumps({"time": f"2024-05-{day:02d}T23:59:59.999Z", "question": q}) + "\n"

    Path(f"{path}.2").write_text(line(1, "a"), encoding="utf-8")
    Path(f"{path}.1").write_text(line(9, "b"), encoding="utf-8")
    Path(f"{path}.bak").write_text(line(9, "ignored"), encoding="utf-8")
    path.write_text(line(10, "c") + line(11, "d"), encoding="utf-8")
    assert [r["question"] for r in read_records(path).records] == ["a", "b", "c", "d"]
    since = read_records(path, since=dt.date(2024, 5, 10))
    assert [r["question"] for r in since.records] == ["c", "d"]
    assert len(since.files) == 3


def test_backups_are_found_for_names_with_glob_characters(tmp_path):
    path = tmp_path / "log[1]*.jsonl"
    log = UnansweredLog(UnansweredSettings(path=path, max_bytes=4096, backups=2))
    for i in range(60):
        log.record(fallback(f"q{i} " + "z" * 80), "telegram", "private")
    assert [f.name for f in log_files(path)] == [
        "log[1]*.jsonl.2",
        "log[1]*.jsonl.1",
        "log[1]*.jsonl",
    ]
    assert read_records(path).records[-1]["question"].startswith("q59 ")


def test_missing_log_reads_as_empty(tmp_path):
    contents = read_records(tmp_path / "nothing.jsonl")
    assert (contents.records, contents.malformed, contents.files) == ([], 0, [])


# -- settings ------------------------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_project_config_parses(tmp_path):
    settings = load_config(ROOT / "config.yaml").unanswered
    assert settings.max_bytes >= 4096 and settings.backups >= 0
    assert settings.include_user_ids is False and settings.include_chat_ids is False


def test_empty_section_means_log_off_with_private_defaults(tmp_path):
    config = load_config(write_config(tmp_path, unanswered="unanswered: {}"))
    assert config.unanswered == UnansweredSettings(
        path=None, max_bytes=5_000_000, backups=3, include_user_ids=False, include_chat_ids=False
    )
    assert not config.unanswered.enabled


def test_full_section_and_relative_path(tmp_path):
    config = load_config(
        write_config(
            tmp_path,
            unanswered="""
unanswered:
  path: var/unanswered.jsonl
  max_bytes: 1048576
  backups: 5
  include_user_ids: true
  include_chat_ids: false
""",
        )
    )
    settings = config.unanswered
    assert settings.path == tmp_path.resolve() / "var" / "unanswered.jsonl"
    assert (settings.max_bytes, settings.backups) == (1048576, 5)
    assert (settings.include_user_ids, settings.include_chat_ids) == (True, False)
    assert settings.enabled


def test_null_path_is_off_and_absolute_path_is_kept(tmp_path):
    config = load_config(write_config(tmp_path, unanswered="unanswered:\n  path: null\n"))
    assert config.unanswered.path is None
    target = tmp_path / "elsewhere" / "u.jsonl"
    config = load_config(write_config(tmp_path, unanswered=f"unanswered:\n  path: {target}\n"))
    assert config.unanswered.path == target


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ("path: 42", "path", "unanswered.path must be a file path or null, got 42"),
        ('path: "  "', "path", "unanswered.path must be a file path or null"),
        ("max_bytes: 100", "max_bytes", "unanswered.max_bytes must be 4096-"),
        ("max_bytes: 5MB", "max_bytes", "unanswered.max_bytes must be a whole number, got '5MB'"),
        ("max_bytes: 1.5e6", "max_bytes", "must be a whole number"),
        ("backups: -1", "backups", "unanswered.backups must be 0-100, got -1"),
        ("backups: true", "backups", "unanswered.backups must be a whole number, got True"),
        ("include_user_ids: yes please", "include_user_ids", "must be true or false"),
        ("include_chat_ids: 1", "include_chat_ids", "must be true or false, got 1"),
        (
            "user_names: true",
            "user_names",
            "unknown setting unanswered.user_names; known: path, max_bytes, backups, "
            "include_user_ids, include_chat_ids",
        ),
    ],
)
def test_bad_settings_name_file_line_and_problem(tmp_path, body, key, problem):
    others = [line for line in ("path: u.jsonl", "backups: 2") if line.split(":")[0] != key]
    text = "unanswered:\n" + "".join(f"  {line}\n" for line in [*others, body])
    path = write_config(tmp_path, unanswered=text)
    with pytest.raises(DataError) as caught:
        load_config(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line_of(path, f"  {key}:")
    assert problem in error.problem
    assert str(error) == f"{path}:{error.line}: {error.problem}"
