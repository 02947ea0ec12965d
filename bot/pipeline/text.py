"""Text clean-up and script handling: the first step of text → normalize → match → reply.

Pure functions over ``str``. Script conversion uses OpenCC (``tw2s`` to Simplified, which also
turns 著 into 着; ``s2t`` back), created once per process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import opencc

from bot.pipeline.reply import Script

MAX_QUESTION_CHARS = 500
"""Only the first 500 characters (code points) of a message are matched: a longer message is
not a question, and the cap bounds the matching time for any input."""

_COMMAND = re.compile(r"^\s*/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")
"""A leading bot command (Bot API: 1-32 characters of a-z, 0-9 and _), e.g. /ask@MenschBot."""
_MENTION = re.compile(r"@[A-Za-z0-9_]{2,64}")
_URL = re.compile(r"(?:https?://|www\.|t\.me/)\S+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (OpenCC ``tw2s``; character level, no
    vocabulary bridging). Simplified and Latin text come back unchanged."""
    return _converter("tw2s").convert(text)


def to_traditional(text: str) -> str:
    """Convert Simplified characters to Traditional (OpenCC ``s2t``)."""
    return _converter("s2t").convert(text)


_CJK_RANGES = (
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0x3400, 0x4DBF),  # Extension A
    (0x20000, 0x2EBEF),  # Extensions B-F (OpenCC maps some rare characters there)
    (0x30000, 0x3134F),  # Extension G
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x2F800, 0x2FA1F),  # Compatibility Ideographs Supplement
)


def is_cjk(char: str) -> bool:
    """True for a CJK ideograph: unified (basic, extensions A-G) or compatibility."""
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def detect_script(text: str) -> Script:
    """Tell which script a user wrote.

    Args:
        text: the user's message, any length.

    Returns:
        "en" when it holds no CJK ideograph; otherwise "hans" when it has more characters that
        exist only in Simplified than only in Traditional, else "hant" (ties, and text common to
        both scripts, count as Traditional: the interview's published script).
    """
    text = text[:MAX_QUESTION_CHARS]
    han = "".join(c for c in text if is_cjk(c))
    if not han:
        return "en"
    simplified = to_simplified(han)
    traditional = to_traditional(han)
    if len(simplified) != len(han) or len(traditional) != len(han):
        # Phrase-level conversions changed the length; fall back to a per-character count.
        simplified = "".join(to_simplified(c) for c in han)
        traditional = "".join(to_traditional(c) for c in han)
    trad_only = sum(1 for a, b in zip(han, simplified, strict=False) if a != b)
    simp_only = sum(1 for a, b in zip(han, traditional, strict=False) if a != b)
    return "hans" if simp_only > trad_only else "hant"


def script_neutral(text: str) -> bool:
    """True when ``text`` holds Chinese characters and every one is written the same in
    Traditional and Simplified (那, 呢; not 開/开): "那Meta呢" could be either script.

    Args:
        text: the user's message, any length (the first MAX_QUESTION_CHARS are read).
    """
    han = "".join(c for c in text[:MAX_QUESTION_CHARS] if is_cjk(c))
    return bool(han) and all(to_simplified(c) == c == to_traditional(c) for c in han)


def tells_script(text: str) -> bool:
    """True when ``text`` shows which script to answer in: it has letters, and its Chinese (if
    any) is not all written the same in both scripts. Emoji, digits and "那Meta呢" do not."""
    return any(c.isalpha() for c in text) and not script_neutral(text)


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" and category != "Nl" or is_cjk(char)


def strip_markup(text: str) -> str:
    """NFKC, then drop a leading bot command, URLs and @mentions; case and punctuation kept.

    Args:
        text: the raw message (any str, including lone surrogates).

    Returns:
        The message as the user wrote it, without what addresses the bot or links elsewhere.
    """
    text = text[: MAX_QUESTION_CHARS * 2]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates → "?"
    text = unicodedata.normalize("NFKC", text)
    text = _COMMAND.sub(" ", text)
    text = _URL.sub(" ", text)
    return _MENTION.sub(" ", text)


def clean(text: str) -> str:
    """Reduce a message to the words that matter for matching.

    Steps: NFKC (full-width → half-width), drop a leading bot command (``/ask``,
    ``/ask@name``, ``/start``…),
    @mentions and URLs, case-fold, replace every character that is not a letter or digit
    (punctuation, emoji, symbols, control and zero-width characters) with a space, collapse
    spaces. Only the first :data:`MAX_QUESTION_CHARS` characters are kept.

    Args:
        text: the raw message (any str, including lone surrogates).

    Returns:
        Lower-case text, still in the user's script, words separated by single spaces;
        "" when nothing is left.
    """
    text = strip_markup(text).casefold()
    text = "".join(c if _keep(c) else " " for c in text)
    return _SPACES.sub(" ", text).strip()[:MAX_QUESTION_CHARS]


def normalize(text: str) -> str:
    """:func:`clean`, then Traditional → Simplified: the form both questions and knowledge
    are compared in. Returns lower-case Simplified text with single spaces."""
    return to_simplified(clean(text))


def phrases(cues: Iterable[str]) -> tuple[str, ...]:
    """The lexicon's cue phrases normalised (:func:`normalize`) for :func:`has_phrase`, blank
    ones dropped."""
    return tuple(p for p in (normalize(c) for c in cues) if p)


def has_phrase(normalized: str, phrases: Iterable[str]) -> bool:
    """True when normalised text holds one of ``phrases`` (normalised too): Latin phrases as
    whole words ("how to" not in "show to"), Chinese ones anywhere."""
    padded = f" {normalized} "
    return any((f" {p} " in padded) if p.isascii() else (p in normalized) for p in phrases if p)


def compact(text: str) -> str:
    """Drop the spaces between CJK characters, keep one between Latin words: ``"ai 模型"`` stays
    comparable with ``"ai模型"`` at character level."""
    return re.sub(r"(?<=[^a-z0-9]) | (?=[^a-z0-9])", "", text)
