"""The one reader of ``config.yaml``: every section is a frozen dataclass whose fields declare
their YAML key, default, one-line doc and check; one function reads them all, and every
problem is reported the same way, as ``file:line: dotted.key problem``
(:class:`bot.errors.DataError`, lines from :mod:`bot.loading.yamlio`).

Declaring a section::

    @dataclass(frozen=True)
    class Flood:
        private: int = setting(30, "replies per window in a private chat", Whole(1, 100_000))
        window: float = setting(60.0, "the window, seconds", Number(1, 86400))

    flood = read_section(Flood, Section.root(path, document).sub("flood"))

The dataclass default is what an absent key means, written once; :func:`reference` lists every
key with that default and its doc, so the tests can hold ``config.yaml``, ``docs/telegram.md``
and ``README.md`` to the same definition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import DataError
from bot.loading.yamlio import LineMap, reject_unknown_keys

T = TypeVar("T")

ABSENT: Any = dataclasses.MISSING
"""What :meth:`Section.get` returns for a key the file does not have."""


@dataclass(frozen=True)
class Place:
    """Where the config file stands, for settings that are paths.

    Attributes:
        path: the config file (as given), named in every error.
        folder: its folder (absolute); relative paths in the file are resolved against it.
        state_dir: the folder relative paths of files the bot writes are resolved against.
        lines: dotted key → 1-based line, filled as keys are read (for later warnings).
    """

    path: Path
    folder: Path
    state_dir: Path
    lines: dict[str, int] = dataclasses.field(default_factory=dict)


class Section:
    """One mapping of the config file being read: knows its file, its dotted name and the
    line of each key.

    Args:
        place: the file (see :class:`Place`).
        mapping: the YAML mapping (a :class:`bot.loading.yamlio.LineMap`); None reads as empty.
        name: dotted name of the mapping ("" for the document, "telegram.flood"), prefixed to
            keys in error messages.
        line: the line reported for the mapping itself (for an absent section: its parent's).
    """

    def __init__(self, place: Place, mapping: LineMap | None, name: str = "", line: int = 0):
        self.place = place
        self.mapping = mapping if mapping is not None else LineMap()
        self.name = name
        self.line = self.mapping.line or line

    @classmethod
    def root(cls, place: Place, document: LineMap) -> Section:
        """The whole document as a section (keys without a prefix)."""
        return cls(place, document, "", document.line)

    def dotted(self, key: str) -> str:
        """``key`` with this section's name in front: "telegram.flood.group"."""
        return f"{self.name}.{key}" if self.name else str(key)

    def key_line(self, key: str) -> int:
        """1-based line of ``key``, or of the mapping when the key is absent."""
        return self.mapping.key_line(key) if key in self.mapping else self.line

    def fail(self, key: str, problem: str) -> DataError:
        """The error for ``key``: ``file:line: dotted.key problem``."""
        return DataError(self.place.path, self.key_line(key), f"{self.dotted(key)} {problem}")

    def get(self, key: str) -> Any:
        """The raw value of ``key`` (recording its line), or :data:`ABSENT`."""
        if key not in self.mapping:
            return ABSENT
        self.place.lines[self.dotted(key)] = self.mapping.key_line(key)
        return self.mapping[key]

    def reject_unknown(
        self, known: Sequence[str], what: Callable[[str], str] | str = "setting"
    ) -> None:
        """Raise for the first key not in ``known``.

        Args:
            known: the keys allowed here, in the order the message lists them.
            what: a noun ("unknown <noun> <dotted key>"), or a function naming the key.

        Raises:
            DataError: ``file:line: <what(key)>; known: a, b, c`` at the key's line.
        """
        name = what if callable(what) else lambda key: f"unknown {what} {self.dotted(key)}"
        reject_unknown_keys(self.mapping, known, self.place.path, name)

    def sub(self, key: str) -> Section:
        """The nested mapping at ``key``; absent or null reads as an empty section.

        Raises:
            DataError: the value is not a mapping.
        """
        value = self.get(key)
        if value is ABSENT or value is None:
            return Section(self.place, None, self.dotted(key), self.key_line(key))
        if not isinstance(value, LineMap):
            raise self.fail(key, "must be a mapping")
        return Section(self.place, value, self.dotted(key))


Read = Callable[[Section, str, Any], Any]
"""How one setting is read: (section, key, raw value) → checked value; raises DataError."""


def number_text(number: float) -> str:
    """A number as YAML and the messages write it: 60.0 → "60", 0.5 → "0.5"."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass(frozen=True)
class Number:
    """A number in ``low``-``high``, read as a float (true/false are not numbers).

    With ``whole`` (see :class:`Whole`) it must be an int (2.0 is refused) and stays one.
    """

    low: float
    high: float
    whole: bool = False

    @property
    def span(self) -> str:
        """The range as the docs write it: "0-86400"."""
        return f"{number_text(self.low)}-{number_text(self.high)}"

    def __call__(self, section: Section, key: str, value: Any) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (self.whole and not isinstance(value, int))
        ):
            kind = "a whole number" if self.whole else "a number"
            raise section.fail(key, f"must be {kind}, got {value!r}")
        if not self.low <= value <= self.high:
            raise section.fail(key, f"must be {self.span}, got {value}")
        return value if self.whole else float(value)


@dataclass(frozen=True)
class Whole(Number):
    """A whole number (an int) in ``low``-``high``."""

    whole: bool = True


def switch(section: Section, key: str, value: Any) -> bool:
    """Read true or false (YAML booleans only)."""
    if not isinstance(value, bool):
        raise section.fail(key, f"must be true or false, got {value!r}")
    return value


@dataclass(frozen=True)
class OneOf:
    """One of a few words, e.g. the scripts."""

    options: tuple[str, ...]

    def __call__(self, section: Section, key: str, value: Any) -> str:
        if value not in self.options:
            raise section.fail(key, f"must be one of {', '.join(self.options)}, got {value!r}")
        return str(value)


def setting(
    default: Any,
    doc: str,
    read: Read,
    *,
    key: str | None = None,
    shown: str | None = None,
    factory: Callable[[], Any] | None = None,
    doc_key: str | None = None,
) -> Any:
    """Declare one setting as a dataclass field.

    Args:
        default: the value an absent key means (the dataclass default).
        doc: one line for the reference tables.
        read: checks and converts the raw YAML value (:class:`Whole`, :class:`Number`,
            :func:`switch`, :class:`OneOf` or a function of the same shape).
        key: the YAML key when it differs from the field name.
        shown: how the default is written in the docs when YAML cannot spell the value
            (e.g. "built in").
        factory: builds the default instead of ``default`` (for mappings).
        doc_key: how the key is written in the reference when it stands for many
            (e.g. "texts.<script>.<key>").
    """
    metadata = {"doc": doc, "read": read, "key": key, "shown": shown, "doc_key": doc_key}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def required(
    doc: str, read: Read, *, key: str | None = None, raw: Any = ABSENT, doc_key: str | None = None
) -> Any:
    """Declare a setting with no dataclass default: ``raw`` (a YAML value) is read in place of
    an absent key, or, with no ``raw``, the key must be given (arguments as for
    :func:`setting`)."""
    metadata = {"doc": doc, "read": read, "key": key, "raw": raw, "doc_key": doc_key}
    return dataclasses.field(metadata=metadata)


def section(cls: type, doc: str, *, key: str | None = None) -> Any:
    """Declare a nested mapping read into the dataclass ``cls`` (absent: all its defaults)."""
    return dataclasses.field(default_factory=cls, metadata={"doc": doc, "section": cls, "key": key})


def yaml_key(field: dataclasses.Field) -> str:
    """The YAML key of a declared field."""
    return field.metadata.get("key") or field.name


def declared(cls: type) -> list[dataclasses.Field]:
    """The fields of ``cls`` read from YAML, in declaration order."""
    return [f for f in dataclasses.fields(cls) if "doc" in f.metadata]


def read_section(cls: type[T], section: Section, **given: Any) -> T:
    """Read ``section`` into the dataclass ``cls``.

    Args:
        cls: a dataclass declared with :func:`setting`, :func:`required` and :func:`section`.
        section: the mapping to read.
        given: values of fields that do not come from YAML (e.g. the config's path).

    Returns:
        The instance: every absent key holds its default. When ``cls`` has a
        ``checked(section)`` method (rules spanning several keys), it has been called.

    Raises:
        DataError: an unknown key, a required key missing, or a bad value.
    """
    fields = declared(cls)
    section.reject_unknown([yaml_key(f) for f in fields])
    values = dict(given)
    for f in fields:
        key = yaml_key(f)
        if "section" in f.metadata:
            values[f.name] = read_section(f.metadata["section"], section.sub(key))
            continue
        if "channel" in f.metadata:  # read by the channel's own dataclass (see load_config)
            section.sub(key)
            continue
        raw = section.get(key)
        if raw is ABSENT:
            raw = f.metadata.get("raw", ABSENT)
            if raw is ABSENT and f.default is ABSENT and f.default_factory is ABSENT:
                raise DataError(section.place.path, section.line, f"missing {section.dotted(key)}")
            if raw is ABSENT:
                continue
        values[f.name] = f.metadata["read"](section, key, raw)
    result = cls(**values)
    checked = getattr(result, "checked", None)
    if checked is not None:
        checked(section)
    return result


@dataclass(frozen=True)
class Reference:
    """One row of the config reference: dotted key, default as written in YAML, doc, and the
    allowed range ("0-600") of a number, else None."""

    key: str
    default: str
    doc: str
    span: str | None = None


def yaml_text(value: Any) -> str:
    """A default as the docs write it: null, true, 30, 0.5, [], hant."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, list | tuple | set | frozenset) and not value:
        return "[]"
    return str(value)


def reference(cls: type, prefix: str = "", expand: bool = True) -> Iterator[Reference]:
    """Every key of ``cls`` with its default and doc, in declaration order.

    Args:
        cls: a dataclass declared with this module's field functions.
        prefix: put before each key ("telegram.").
        expand: list a nested section's keys (``flood.private``); False gives one row for the
            section (its default "{}": all its keys' defaults).
    """
    for f in declared(cls):
        key = f"{prefix}{f.metadata.get('doc_key') or yaml_key(f)}"
        if "section" in f.metadata and not expand:
            yield Reference(key, "{}", f.metadata["doc"])
            continue
        if "section" in f.metadata:
            yield from reference(f.metadata["section"], key + ".")
            continue
        if "channel" in f.metadata:
            yield Reference(key, "{}", f.metadata["doc"])
            continue
        if f.metadata.get("shown") is not None:
            default = f.metadata["shown"]
        elif f.metadata.get("raw", ABSENT) is not ABSENT:
            default = yaml_text(f.metadata["raw"])
        elif f.default is not ABSENT:
            default = yaml_text(f.default)
        else:
            default = "required"
        yield Reference(key, default, f.metadata["doc"], getattr(f.metadata["read"], "span", None))
