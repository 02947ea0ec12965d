"""Text measured and cut in the units its limits are written in: the one home of these helpers.

Python's ``len`` counts characters (Unicode code points). Telegram counts message text and
entity offsets in UTF-16 code units, where a character above U+FFFF (most emoji, CJK
Extension B) takes two units. Byte limits (``callback_data``, inline result ids) count UTF-8
bytes: ``len(text.encode("utf-8"))``. The Bot API limits themselves are constants of
:mod:`bot.channels.telegram.render` and :mod:`bot.channels.telegram.inlinequeries`.
"""

from __future__ import annotations

ELLIPSIS = "…"
"""What ends a shortened text (one character, one UTF-16 unit)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram measures message text (Bot API:
    "1-4096 characters after entities parsing") and entity offsets and lengths.

    Args:
        text: any str; a lone surrogate counts as one unit (it is never an error here).

    Returns:
        The number of UTF-16 code units: 1 per character up to U+FFFF, 2 per character above.
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_index(text: str, offset: int) -> int:
    """The Python index (in characters) of UTF-16 code unit ``offset`` in ``text``.

    Args:
        text: any str.
        offset: a position in UTF-16 code units (e.g. a Telegram entity's offset), >= 0.

    Returns:
        The index of the first character starting at or after ``offset``; ``len(text)`` when
        ``offset`` reaches past the end. An offset inside a surrogate pair gives the index of
        the next character.
    """
    units = 0
    for index, ch in enumerate(text):
        if units >= offset:
            return index
        units += utf16_len(ch)
    return len(text)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (code points), ending with "…" when cut.

    Args:
        text: any str (whitespace is kept as it is; fold it first for a one-line label).
        limit: the most characters the result may have, >= 1.

    Returns:
        ``text`` itself when it has at most ``limit`` characters, else its first
        ``limit - 1`` characters followed by :data:`ELLIPSIS` (exactly ``limit``).

    Raises:
        ValueError: ``limit`` < 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, not {limit}")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
