"""The config reference is written once, in the settings' declarations (:mod:`bot.loading.schema`
fields of :class:`bot.loading.config.Config` and
:class:`bot.channels.telegram.settings.TelegramSettings`): the tables in README.md and
docs/telegram.md, the shipped config.yaml and the YAML examples in the docs are held to it here, so
no copy can drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.channels.telegram.settings import TelegramSettings
from bot.cli import load
from bot.loading.config import PERSONA_NAMES, Config, UnansweredSettings
from bot.loading.schema import Reference, reference, yaml_text

ROOT = Path(__file__).resolve().parent.parent


def rendered(rows: list[Reference]) -> list[str]:
    """The markdown rows of a reference table: | `key` | `default` | doc |."""
    return [f"| `{r.key}` | `{r.default}` | {r.doc} |" for r in rows]


def table_after(document: Path, heading: str) -> list[str]:
    """The body rows (after the header and the --- line) of the first table under
    ``heading`` in ``document``."""
    text = document.read_text(encoding="utf-8")
    start = text.index(heading)
    lines = text[start:].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| ---"))
    rows = []
    for line in lines[first + 1 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_readme_table_is_the_config_model():
    expected = rendered(list(reference(Config)))
    assert table_after(ROOT / "README.md", "## Configuration (`config.yaml`)") == expected, (
        "README.md's config table differs from the declarations; its rows should be:\n"
        + "\n".join(expected)
    )


def test_telegram_table_is_the_telegram_settings_model():
    expected = rendered(list(reference(TelegramSettings)))
    table = table_after(ROOT / "docs" / "telegram.md", "## 4. Configuration reference")
    assert table == expected, (
        "docs/telegram.md's table differs from TelegramSettings; its rows should be:\n"
        + "\n".join(expected)
    )


def test_every_declaration_has_a_one_line_doc_and_persona_lists_every_name():
    for cls in (Config, TelegramSettings):
        for row in reference(cls):
            assert row.doc.strip() and "\n" not in row.doc, row.key
    persona = next(r for r in reference(Config) if r.key == "persona.*")
    assert persona.doc.startswith(", ".join(PERSONA_NAMES) + " — ")


def leaves(mapping: dict, prefix: str = "") -> dict[str, object]:
    """Dotted key → value for every scalar or list in a nested mapping."""
    result: dict[str, object] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            result.update(leaves(value, f"{prefix}{key}."))
        else:
            result[f"{prefix}{key}"] = value
    return result


def defaults(cls: type, prefix: str) -> dict[str, str]:
    return {r.key: r.default for r in reference(cls, prefix)}


def test_shipped_config_writes_the_model_defaults_for_telegram_and_the_log():
    """config.yaml spells out telegram and unanswered settings as examples: each must be the
    model's default (else a default changed in the model would be overridden by a stale
    copy); only the log's path is switched on."""
    document = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    known = defaults(TelegramSettings, "telegram.") | defaults(UnansweredSettings, "unanswered.")
    written = leaves({k: document[k] for k in ("telegram", "unanswered")})
    assert written, "config.yaml lost its telegram/unanswered examples"
    for key, value in written.items():
        if key == "unanswered.path":
            assert value == "unanswered.jsonl"
            continue
        assert key in known, key
        assert yaml_text(value) == known[key], (key, value, known[key])
    config = load(ROOT / "config.yaml")
    assert config.telegram == TelegramSettings()


def yaml_examples() -> list[tuple[str, str]]:
    """(document, YAML block) for every ```yaml block in the docs that holds a config section."""
    blocks = []
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = document.read_text(encoding="utf-8")
        for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S):
            blocks.append((document.name, block))
    return blocks


@pytest.mark.parametrize(("document", "block"), yaml_examples())
def test_config_examples_in_the_docs_use_declared_keys_and_defaults(document, block):
    """Every key of a config example exists in the model; a telegram or unanswered value
    other than the log's path is the model's default."""
    example = yaml.safe_load(block)
    if not isinstance(example, dict) or not set(example) & {"telegram", "unanswered"}:
        pytest.skip("not a config example")
    known = defaults(Config, "") | defaults(TelegramSettings, "telegram.")
    for key, value in leaves(example).items():
        assert key in known, f"{document}: {key} is not a setting"
        if key.startswith(("telegram.", "unanswered.")) and key != "unanswered.path":
            assert yaml_text(value) == known[key], (document, key, value)


RANGE = re.compile(r"(?<![\w.])(\d[\d.]*)-(\d[\d.]*)(?![\w.])|>= ?(\d+)")


def ranges_agree(text: str, row: Reference) -> bool:
    """Every "A-B" or ">= A" in ``text`` is the row's range (written once, in its reader)."""
    assert row.span is not None
    low, high = row.span.split("-")
    for match in RANGE.finditer(text):
        if match[3] is not None and match[3] != low:
            return False
        if match[1] is not None and (match[1], match[2]) != (low, high):
            return False
    return True


def numeric_rows() -> list[Reference]:
    rows = list(reference(Config)) + list(reference(TelegramSettings, "telegram."))
    return [row for row in rows if row.span is not None]


def test_ranges_in_the_docs_are_the_readers_ranges():
    rows = numeric_rows()
    assert {r.key for r in rows} >= {"matching.answer_threshold", "telegram.poll_timeout"}
    for row in rows:
        assert ranges_agree(row.doc, row), (row.key, row.doc, row.span)


def test_ranges_in_config_yaml_comments_are_the_readers_ranges():
    by_key = {row.key: row for row in numeric_rows()}
    section, checked = "", 0
    for line in (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^( *)(\w+):[^#]*#(.*)$", line) or re.match(r"^( *)(\w+):", line)
        if not match:
            continue
        indent, key = match[1], match[2]
        if not indent:
            section = key
        dotted = f"{section}.{key}" if indent else key
        if dotted in by_key and match.lastindex == 3:
            checked += 1
            assert ranges_agree(match[3], by_key[dotted]), (line, by_key[dotted].span)
    assert checked >= 6
