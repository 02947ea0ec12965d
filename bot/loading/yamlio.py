"""YAML loading that remembers line numbers, so every data problem can name file and line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.errors import DataError


class LineMap(dict):
    """A YAML mapping that knows where it stands in its file.

    Attributes:
        line: 1-based line of the mapping's first key.
    ``key_line(key)`` gives the 1-based line of one key (the mapping's line when unknown).
    """

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_lines: dict[Any, int] = {}

    def key_line(self, key: Any) -> int:
        """Return the 1-based line where ``key`` is written, or the mapping's own line."""
        return self._key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence with ``line`` (1-based) and ``item_line(i)`` for each item."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        """Return the 1-based line of item ``index``, or the sequence's own line."""
        if 0 <= index < len(self._item_lines):
            return self._item_lines[index]
        return self.line


_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's C loader when PyYAML was built with it (line numbers as exact), else pure Python."""


class _Loader(_BaseLoader):
    """SafeLoader that builds LineMap / LineList and rejects duplicate keys.

    libyaml's C parser (``CSafeLoader``, in PyYAML's wheels) when present: the knowledge loads
    ~8x faster, and its nodes carry the same line marks, so every error still names its line.
    """


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    result = LineMap()
    result.line = node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result._key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result._item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def reject_unknown_keys(
    section: LineMap, known: Sequence[str], path: str | Path, problem: Callable[[str], str]
) -> None:
    """Raise for the first key of ``section`` not in ``known``.

    Raises:
        DataError: ``path:line: <problem(key)>; known: a, b, c`` at the key's line.
    """
    for key in section:
        if key not in known:
            raise DataError(
                path, section.key_line(key), f"{problem(key)}; known: " + ", ".join(known)
            )


def load_yaml(path: str | Path, kind: type | None = None, what: str = "the document") -> Any:
    """Read one YAML file with line numbers kept.

    Args:
        path: the file to read (UTF-8).
        kind: LineMap or LineList to require that shape of document (None: any).
        what: how to name the document in the error, e.g. "config".

    Returns:
        The document: LineMap for mappings, LineList for sequences, plain scalars otherwise;
        None for an empty file.

    Raises:
        DataError: the file is missing, unreadable, not UTF-8, not valid YAML (with the line
            of the syntax error), or not of ``kind``.
    """
    document = _read_yaml(Path(path))
    if kind is not None and not isinstance(document, kind):
        shape = "mapping" if kind is LineMap else "list"
        raise DataError(path, 1, f"{what} must be a YAML {shape}")
    return document


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, 0, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, 0, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DataError(path, 0, f"cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        # An error at the end of the stream is marked on the line after the last newline.
        line = min(line, len(text.splitlines()) or 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise DataError(path, line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, …)
        # the reader's own position is off by its buffering: find the character here
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else 0
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise DataError(
            path, line, f"invalid YAML: character U+{code:04X} is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise DataError(path, 0, f"invalid YAML: {first}") from None
