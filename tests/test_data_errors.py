"""Malformed knowledge and config: one line naming file, line and problem; exit status 2."""

import argparse
import functools
import shutil
from pathlib import Path

import pytest
from conftest import edit, run_cli

from bot.cli import _build_engine, _engine, load
from bot.errors import DataError
from bot.loading.config import load_config
from bot.loading.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path):
    """A copy of config.yaml and knowledge/ that a test may break."""
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_answer_not_in_source_is_named_with_its_line(project):
    entries = project / "knowledge" / "entries.yaml"
    edit(entries, "我是科學家出生", "我是天生的科學家")
    with pytest.raises(DataError) as err:
        load_knowledge(project / "knowledge")
    assert err.value.line == line_of(entries, "我是天生的科學家")
    assert "not verbatim" in err.value.problem
    assert str(err.value).startswith(f"{entries}:{err.value.line}: ")


def test_duplicate_id(project):
    entries = project / "knowledge" / "entries.yaml"
    edit(entries, "- id: into_genai", "- id: background")
    with pytest.raises(DataError, match="duplicate id 'background'"):
        load_knowledge(project / "knowledge")


def test_unknown_related_id(project):
    entries = project / "knowledge" / "entries.yaml"
    edit(entries, "related: [into_genai, cofounders]", "related: [into_genai, nowhere]")
    with pytest.raises(DataError, match="related id 'nowhere'") as err:
        load_knowledge(project / "knowledge")
    assert err.value.line == line_of(entries, "related: [into_genai, nowhere]")


def test_yaml_syntax_error_has_a_line(project):
    entries = project / "knowledge" / "entries.yaml"
    edit(entries, "  asked_by: Eric Hazan\n", "  asked_by: [Eric Hazan\n")
    with pytest.raises(DataError, match="invalid YAML") as err:
        load_knowledge(project / "knowledge")
    assert err.value.line > 0


def test_a_character_yaml_forbids_is_one_line_with_its_line(project):
    lexicon = project / "knowledge" / "lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8")
    at = text.index("\nsynonyms:") + 1
    lexicon.write_text(text[:at] + "\x00" + text[at:], encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_knowledge(project / "knowledge")
    line = line_of(lexicon, "\x00synonyms:")
    assert str(err.value) == f"{lexicon}:{line}: invalid YAML: character U+0000 is not allowed"


def test_too_few_variants(project):
    entries = project / "knowledge" / "entries.yaml"
    text = entries.read_text(encoding="utf-8")
    start = text.index("  variants:\n    - 歐洲的弱點是什麼")
    entries.write_text(text[:start] + "  variants: [弱點]\n", encoding="utf-8")
    with pytest.raises(DataError, match="at least 10 variants"):
        load_knowledge(project / "knowledge")


def test_bad_threshold_value(project):
    config = project / "config.yaml"
    edit(config, "answer_threshold: 40", "answer_threshold: 140")
    with pytest.raises(DataError) as err:
        load_config(config)
    assert err.value.line == line_of(config, "answer_threshold: 140")
    assert "0-100" in err.value.problem


def test_suggest_above_answer(project):
    config = project / "config.yaml"
    edit(config, "suggest_threshold: 25", "suggest_threshold: 90")
    with pytest.raises(DataError, match="must not exceed"):
        load_config(config)


def test_unknown_setting_and_reply_policy(project):
    config = project / "config.yaml"
    edit(config, "reply_script: auto", "reply_script: klingon")
    with pytest.raises(DataError, match="reply_script must be one of"):
        load_config(config)
    edit(config, "reply_script: klingon", "reply_script: auto\nanswr_threshold: 3")
    with pytest.raises(DataError) as err:
        load_config(config)
    assert str(err.value) == (
        f"{config}:{line_of(config, 'answr_threshold')}: unknown setting answr_threshold; "
        "known: knowledge, cache_dir, matching, reply_script, persona, unanswered, telegram"
    )


def test_missing_persona_text(project):
    config = project / "config.yaml"
    edit(config, '    en: "Did you mean:"', '    en: ""')
    with pytest.raises(DataError, match="persona.suggest_header.en"):
        load_config(config)


def test_missing_config_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_cli_reports_one_line_and_exit_2_for_bad_knowledge(project):
    edit(project / "knowledge" / "entries.yaml", "我是科學家出生", "我是天生的科學家")
    result = run_cli("--config", str(project / "config.yaml"), "check")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "entries.yaml:" in lines[0] and "not verbatim" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_reports_bad_config_for_ask_too(project):
    edit(project / "config.yaml", "margin: 0.5", "margin: lots")
    result = run_cli("--config", str(project / "config.yaml"), "ask", "hi")
    assert result.returncode == 2
    assert "config.yaml:" in result.stderr and "margin must be a number" in result.stderr


def test_unknown_persona_placeholder_is_caught_at_load(project):
    config = project / "config.yaml"
    edit(config, "—— {speaker},{role};麥肯錫", "—— {speakr},{role};麥肯錫")
    with pytest.raises(DataError, match=r"unknown placeholder \{speakr\}") as err:
        load_config(config)
    assert err.value.line == line_of(config, "{speakr}")


def test_unbalanced_brace_in_persona(project):
    config = project / "config.yaml"
    edit(config, '    en: "Did you mean:"', '    en: "Did you mean {:"')
    with pytest.raises(DataError, match="bad braces"):
        load_config(config)


def test_yaml_booleans_in_word_lists_are_named(project):
    lexicon = project / "knowledge" / "lexicon.yaml"
    edit(lexicon, '"yes",', "yes,")
    with pytest.raises(DataError, match="True read as true/false; quote it") as err:
        load_knowledge(project / "knowledge")
    assert err.value.line == line_of(lexicon, "  en: [a, an")


def test_check_names_a_variant_that_another_entry_takes(project):
    entries = project / "knowledge" / "entries.yaml"
    edit(entries, "    - 你是什麼學歷\n", "    - 歐洲的市場是不是很分散\n")
    result = run_cli("--config", str(project / "config.yaml"), "check")
    assert result.returncode == 2
    line = line_of(entries, "歐洲的市場是不是很分散")
    assert (
        f"entries.yaml:{line}: entry background: variant '歐洲的市場是不是很分散' is taken by "
        "entry fragmented" in result.stdout
    )


def test_check_validates_the_telegram_and_unanswered_sections(project):
    config = project / "config.yaml"
    edit(config, "  concurrent_updates: 4 ", "  concurrent_updates: lots ")
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{config}:{line_of(config, 'concurrent_updates: lots')}:")
    edit(config, "  concurrent_updates: lots ", "  concurrent_updates: 4 ")
    edit(config, "  backups: 3 ", "  backups: -3 ")
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 2
    assert f"{config}:{line_of(config, 'backups: -3')}:" in result.stderr


def test_config_option_works_before_and_after_the_command(project):
    config = project / "config.yaml"
    edit(config, "margin: 0.5", "margin: lots")
    before = run_cli("--config", str(config), "check")
    after = run_cli("check", "--config", str(config))
    assert before.returncode == after.returncode == 2
    assert before.stderr == after.stderr
    assert "margin must be a number" in after.stderr


def test_misspelled_matching_setting_is_named(tmp_path):
    from bot.testing.config import write_config

    path = write_config(
        tmp_path, matching="matching:\n  answr_threshold: 3\n  suggest_threshold: 25\n"
    )
    result = run_cli("--config", str(path), "check")
    assert result.returncode == 2
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "answr" in t)
    assert result.stderr.strip() == (
        f"{path}:{line}: unknown setting matching.answr_threshold; known: answer_threshold, "
        "suggest_threshold, margin, max_suggestions"
    )


def test_unknown_persona_string_and_detail_kind_are_named(project):
    config = project / "config.yaml"
    edit(config, "  not_said:\n", "  greting: {hant: x, hans: x, en: x}\n  not_said:\n")
    with pytest.raises(DataError, match=r"unknown persona string 'greting'; known: greeting, "):
        load_config(config)
    lexicon = project / "knowledge" / "lexicon.yaml"
    edit(lexicon, "detail_cues:\n", "detail_cues:\n  where: [哪里]\n")
    with pytest.raises(
        DataError,
        match=r"lexicon.yaml:\d+: unknown detail_cues kind 'where'; known: what, name, time",
    ):
        load_knowledge(project / "knowledge")


# -- every command reads the config the same way (bot.cli.load) ---------------------------

COMMANDS = (["check"], ["ask", "hi"], ["console"], ["eval"], ["misses"])


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    """``mensch-bot ARGV`` in this process: (exit status, stdout, stderr)."""
    from bot.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "  concurrent_updates: 4 ",
            "  concurrent_updates: lots ",
            "telegram.concurrent_updates must be a whole number, got 'lots'",
        ),
        (
            "  flood: {private: 30, group: 10, window: 60}",
            "  flood: {private: 30, group: 10, window: 0}",
            "telegram.flood.window must be 1-86400, got 0",
        ),
        ("  admins: []", "  admins: [-5]", "telegram.admins must be a list of positive"),
        ("  backups: 3 ", "  backups: 101 ", "unanswered.backups must be 0-100, got 101"),
        ("  margin: 0.5 ", "  margin: 11 ", "matching.margin must be 0-10, got 11"),
        ("reply_script: auto", "reply_script: latin", "reply_script must be one of auto, "),
        ('    en: "None of these"', "    en: 42", "persona.none_of_these.en must be non-empty"),
    ],
)
def test_every_command_and_reload_reject_a_bad_section_with_the_same_line(
    project, capsys, old, new, problem
):
    from bot.channels.telegram.reloading import validating

    config = project / "config.yaml"
    edit(config, old, new)
    expected = f"{config}:{line_of(config, new.strip())}: {problem}"
    for command in COMMANDS:
        status, out, err = run_main(capsys, "--config", str(config), *command)
        assert status == 2, command
        assert out == "", command
        assert err.count("\n") == 1 and err.startswith(expected), (command, err)
    with pytest.raises(DataError) as reload_error:  # hot reload builds through the same loader
        args = argparse.Namespace(config=str(config), build_engine=_build_engine)
        validating(functools.partial(_engine, args))()
    assert str(reload_error.value).startswith(expected)


def test_run_rejects_a_bad_telegram_section_before_connecting(project, capsys, monkeypatch):
    config = project / "config.yaml"
    edit(config, "  reload_interval: 5 ", "  reload_interval: often ")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTokenForTests_abcdefghijklmnopq")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9")  # never reached
    status, out, err = run_main(capsys, "--config", str(config), "run")
    line = line_of(config, "reload_interval: often")
    assert status == 2
    assert err == (
        f"mensch-bot run: {config}:{line}: telegram.reload_interval must be a number, got 'often'\n"
    )


def test_a_missing_config_file_is_named(tmp_path, capsys):
    missing = tmp_path / "nowhere" / "config.yaml"
    for command in COMMANDS:
        status, out, err = run_main(capsys, "--config", str(missing), *command)
        assert (status, out, err) == (2, "", f"{missing}:0: file not found\n"), command


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("knowledge: knowledge ", "knowledge: elsewhere ", "knowledge directory not found: "),
        ("knowledge: knowledge ", "knowledge: [a] ", "knowledge must be a directory path"),
        ("cache_dir: null ", "cache_dir: 3 ", "cache_dir must be a path or null"),
        (
            "  max_suggestions: 3 ",
            "  max_suggestions: 2.5 ",
            "matching.max_suggestions must be a whole",
        ),
    ],
)
def test_bad_top_level_values_name_file_and_line(project, old, new, problem):
    config = project / "config.yaml"
    edit(config, old, new)
    with pytest.raises(DataError) as err:
        load(config)
    assert err.value.line == line_of(config, new.strip())
    assert err.value.problem.startswith(problem), err.value.problem


@pytest.mark.parametrize(
    ("name", "body"),
    [("matching", "matching: 3"), ("unanswered", "unanswered: [1]"), ("telegram", "telegram: off")],
)
def test_a_section_that_is_not_a_mapping_is_named(tmp_path, name, body):
    from bot.testing.config import write_config

    config = write_config(tmp_path, **{name: body})
    with pytest.raises(DataError) as err:
        load(config)
    assert str(err.value) == f"{config}:{line_of(config, body)}: {name} must be a mapping"


def test_a_missing_persona_section_is_named(project):
    config = project / "config.yaml"
    edit(config, "persona:\n", "personae:\n")
    with pytest.raises(DataError, match="unknown setting personae; known: knowledge, "):
        load(config)
    text = config.read_text(encoding="utf-8")
    start, end = text.index("personae:\n"), text.index("unanswered:\n")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(DataError) as err:
        load(config)
    assert str(err.value) == f"{config}:{line_of(config, 'knowledge:')}: missing persona"


def test_offtopic_cues_may_be_grouped_and_a_bad_group_is_named(project):
    lexicon = project / "knowledge" / "lexicon.yaml"
    grouped = load_knowledge(project / "knowledge").lexicon.offtopic_cues
    assert "员工人数" in grouped and "招人" in grouped  # company_facts and general, flattened
    edit(lexicon, "  company_facts: [", "  company_facts: 估值\n  old_company_facts: [")
    with pytest.raises(DataError) as err:
        load_knowledge(project / "knowledge")
    assert err.value.line == line_of(lexicon, "  company_facts: 估值")
    assert err.value.problem == "offtopic_cues.company_facts must be a list"


def test_not_covered_is_optional_and_checked_when_given(project):
    config = project / "config.yaml"
    shipped = load_config(config).persona["not_covered"]
    assert shipped["hant"] == "關於「{parts}」,我在那次訪談裡沒有談到。"
    # a config written before the string existed still loads, with the built-in texts
    text = config.read_text(encoding="utf-8")
    start = text.index("  not_covered:")
    end = text.index("  attribution:")
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_config(config).persona["not_covered"] == shipped
    # given, it is checked like every persona string
    config.write_text(
        text[:start] + '  not_covered: {hant: "{part}", hans: x, en: x}\n' + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"unknown placeholder \{part\}") as err:
        load_config(config)
    assert err.value.line == line_of(config, "not_covered:")
