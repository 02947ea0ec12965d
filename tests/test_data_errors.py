"""Malformed knowledge and config: one line naming file, line and problem; exit status 2."""

import shutil
from pathlib import Path

import pytest
from conftest import edit, run_cli

from bot.config import load_config
from bot.errors import DataError
from bot.knowledge import load_knowledge

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


def test_too_few_variants(project):
    entries = project / "knowledge" / "entries.yaml"
    text = entries.read_text(encoding="utf-8")
    start = text.index("  variants:\n    - 歐洲的弱點是什麼")
    entries.write_text(text[:start] + "  variants: [弱點]\n", encoding="utf-8")
    with pytest.raises(DataError, match="at least 10 variants"):
        load_knowledge(project / "knowledge")


def test_bad_threshold_value(project):
    config = project / "config.yaml"
    edit(config, "answer_threshold: 50", "answer_threshold: 140")
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
    with pytest.raises(DataError, match="unknown setting 'answr_threshold'"):
        load_config(config)


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
        DataError, match=r"lexicon.yaml:\d+: unknown detail_cues kind 'where'; known: what, time"
    ):
        load_knowledge(project / "knowledge")
