"""HTML rendering of a :class:`bot.pipeline.reply.Reply` for Telegram, split into sendable parts.

Limits (Bot API 10.0):
- message text: 1-4096 characters after entity parsing. Telegram counts UTF-16 code units;
  we keep every part within 4096 code points *and* 4096 UTF-16 units, measured on the visible
  text (tags do not count, ``&lt;`` counts as one character). Units: :mod:`bot.measure`.
- ``callback_data``: 1-64 bytes (UTF-8). Buttons carry short ids only, never question text.

Only formatting happens here: every text, label and list comes from the
:class:`bot.pipeline.reply.Reply` (the "none of these" label included); the Telegram texts of
``telegram: texts:`` (the source link label) are passed in by the caller.

Every dynamic fragment (answer, question, attribution, URL) passes through :func:`html.escape`.
Each rendered part comes with a plain-text twin, sent when Telegram rejects the HTML
("can't parse entities").
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.texts import DEFAULTS
from bot.measure import ELLIPSIS, shorten, utf16_len
from bot.pipeline.reply import SCRIPTS, Choice, Reply

MAX_TEXT = 4096
"""Bot API sendMessage/editMessageText/InputTextMessageContent: message text 1-4096 characters
after entities parsing, counted in UTF-16 code units (:func:`fits` checks code points too)."""
MAX_CALLBACK_DATA = 64
"""Bot API InlineKeyboardButton.callback_data: 1-64 bytes (UTF-8)."""
MAX_BUTTON_LABEL = 60
"""Our own cap on a button label, in characters (code points), so that labels stay on one
line (the Bot API sets no limit on a button's text)."""
MAX_PREVIEW = 80
"""Our own cap on an inline result's description, in characters (code points); the Bot API
sets no limit, clients show about one line."""

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])[」』”’）)]*\s*|(?<=[.])[\"')\]]*\s+")


def fits(text: str, limit: int = MAX_TEXT) -> bool:
    """True when ``text`` has at most ``limit`` characters (code points) and at most
    ``limit`` UTF-16 code units (:func:`bot.measure.utf16_len`)."""
    return len(text) <= limit and utf16_len(text) <= limit


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph after sentence ends (。！？!?；; and ". "), keeping the punctuation.

    Concatenating the result gives ``paragraph`` back exactly.
    """
    pieces, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        if m.end() > start and m.end() < len(paragraph):
            pieces.append(paragraph[start : m.end()])
            start = m.end()
    pieces.append(paragraph[start:])
    return [p for p in pieces if p]


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into chunks that each :func:`fits` ``limit`` (counting UTF-16 units, which
    are never fewer than code points)."""
    chunks: list[str] = []
    current: list[str] = []
    units = 0
    for ch in text:
        width = utf16_len(ch)
        if units + width > limit:
            chunks.append("".join(current))
            current, units = [], 0
        current.append(ch)
        units += width
    if current:
        chunks.append("".join(current))
    return chunks


def split_text(paragraphs: Sequence[str], tail: str = "", limit: int = MAX_TEXT) -> list[str]:
    """Pack plain-text paragraphs into parts of at most ``limit`` characters.

    Args:
        paragraphs: plain text blocks, joined by a blank line inside a part.
        tail: plain text that must end the last part (attribution and link); it gets its own
            last part only when it does not fit after the text.
        limit: the size limit, applied to code points and to UTF-16 units alike.

    Returns:
        Non-empty parts, each satisfying :func:`fits`. Breaks fall between paragraphs where
        possible, then between sentences, and only as a last resort inside a sentence.
        Whitespace at part edges is trimmed; no text is lost or reordered.
    """
    units: list[tuple[str, str]] = []  # (joiner, text)
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if fits(paragraph, limit):
            units.append(("\n\n", paragraph))
            continue
        for i, sentence in enumerate(split_sentences(paragraph)):
            for j, chunk in enumerate(_hard_split(sentence, limit)):
                units.append(("\n\n" if i == 0 and j == 0 else "", chunk))

    parts: list[str] = []
    current = ""
    for joiner, text in units:
        candidate = current + joiner + text if current else text.lstrip()
        if fits(candidate.rstrip(), limit):
            current = candidate
        else:
            if current.strip():
                parts.append(current.strip())
            current = text.lstrip()
    if tail:
        candidate = (current.rstrip() + "\n\n" + tail) if current.strip() else tail
        if fits(candidate, limit):
            current = candidate
        else:
            if current.strip():
                parts.append(current.strip())
            current = tail
    if current.strip():
        parts.append(current.strip())
    return parts


@dataclass(frozen=True)
class Rendered:
    """A reply ready to send.

    Attributes:
        parts: HTML texts, one message each, in order; each at most 4096 characters visible.
        plain: the same parts as plain text (same count), for resending when HTML is rejected.
        keyboard: the inline keyboard for the last part, or None.
    """

    parts: tuple[str, ...]
    plain: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None = None


def _tail(reply: Reply, link_label: str | None) -> tuple[str, str]:
    """(plain, HTML) tail of an answer: the reply's attribution line and the source link,
    shown as ``link_label`` (default: the built-in ``source_link`` text of the reply's
    script), then the reply's note after a blank line. The plain twin spells the URL out."""
    plain, marked = [], []
    if reply.attribution:
        plain.append(reply.attribution)
        marked.append(f"<i>{html.escape(reply.attribution)}</i>")
    if reply.source_url:
        label = link_label or DEFAULTS[reply.script]["source_link"]
        plain.append(f"{label}: {reply.source_url}")
        url = html.escape(reply.source_url, quote=True)
        marked.append(f'<a href="{url}">{html.escape(label)}</a>')
    if reply.note:
        plain.append(f"\n{reply.note}")
        marked.append(f"\n{html.escape(reply.note, quote=False)}")
    return "\n".join(plain), "\n".join(marked)


def _to_html(part: str, tail_plain: str, tail_html: str) -> str:
    """Escape a plain part, swapping its trailing plain tail for the marked-up tail."""
    if tail_plain and part.endswith(tail_plain):
        return html.escape(part[: -len(tail_plain)], quote=False) + tail_html
    return html.escape(part, quote=False)


def render_blocks(blocks: Iterable[str], keyboard: InlineKeyboardMarkup | None = None) -> Rendered:
    """Render plain text blocks (persona texts, help, topics) as escaped, split parts."""
    parts = split_text(list(blocks)) or [ELLIPSIS]
    return Rendered(tuple(html.escape(p, quote=False) for p in parts), tuple(parts), keyboard)


def render_reply(
    reply: Reply,
    *,
    related_limit: int = 3,
    link_label: str | None = None,
) -> Rendered:
    """Render a reply as Telegram HTML parts with its inline keyboard.

    Args:
        reply: the answer path's decision.
        related_limit: at most this many related-question buttons under an answer (0-3).
        link_label: the source link's visible text (the Telegram text ``source_link`` in
            the reply's script: 原文 / Source); None: the built-in one.

    Returns:
        :class:`Rendered`. kind "answer": the paragraphs, then the attribution in italics and
        the source link (always in the last part), with related-question buttons. "suggest":
        persona lines and the header, with "did you mean" buttons (top 3) and "none of these"
        (labelled ``reply.none_label``, when not "").
        "related": his line that the interview does not give that detail (or that he said no
        more about it), with buttons for the closest passages (top 3). "fallback": persona
        lines with topic buttons. "smalltalk": persona lines only.
    """
    if reply.kind == "answer":
        tail_plain, tail_html = _tail(reply, link_label)
        parts = split_text(reply.paragraphs, tail_plain) or [ELLIPSIS]
        keyboard = keyboard_for(reply.related[:related_limit], "r", reply.script)
        return Rendered(
            tuple(_to_html(p, tail_plain, tail_html) for p in parts), tuple(parts), keyboard
        )
    blocks = list(reply.paragraphs)
    if reply.kind == "suggest" and reply.header:
        blocks.append(reply.header)
    keyboard = None
    if reply.kind == "suggest":
        keyboard = keyboard_for(
            reply.suggestions[:3], "a", reply.script, none_label=reply.none_label
        )
    elif reply.kind == "related":
        keyboard = keyboard_for(reply.suggestions[:3], "a", reply.script)
    elif reply.kind == "fallback":
        keyboard = keyboard_for(reply.suggestions, "r", reply.script, label="topic")
    return render_blocks(blocks, keyboard)


def callback_data(action: str, script: str, entry_id: str = "") -> str | None:
    """Encode a button press as ``action|script|entry_id``.

    Actions: "a" edits the message into the entry's answer (suggestions); "r" sends the
    entry's answer as a new message (related questions, topics); "n" is "none of these".
    Returns None when the result would exceed 64 bytes (Bot API limit), so the caller drops
    that button instead of sending an invalid request.
    """
    data = f"{action}|{script}|{entry_id}"
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_DATA else None


def parse_callback_data(data: str | None) -> tuple[str, str, str] | None:
    """Decode :func:`callback_data`; returns (action, script, entry_id) or None if malformed."""
    if not data:
        return None
    pieces = data.split("|")
    if len(pieces) != 3 or pieces[0] not in ("a", "r", "n") or pieces[1] not in SCRIPTS:
        return None
    if pieces[0] != "n" and not pieces[2]:
        return None
    return pieces[0], pieces[1], pieces[2]


def button_label(text: str) -> str:
    """A one-line button label: whitespace folded, at most :data:`MAX_BUTTON_LABEL`
    characters (code points), ending with "…" when cut (:func:`bot.measure.shorten`)."""
    return shorten(" ".join(text.split()), MAX_BUTTON_LABEL)


def keyboard_for(
    choices: Sequence[Choice],
    action: str,
    script: str,
    *,
    label: str = "question",
    none_label: str = "",
) -> InlineKeyboardMarkup | None:
    """One button per row for each choice (labelled by its question or topic), then an
    optional "none of these" button. Choices whose callback data would not fit are skipped.
    Returns None when there is no button. Keyboards are immutable and cached (the same
    entry always gets the same related questions), which saves building them per reply."""
    return _keyboard(tuple(choices), action, script, label, none_label)


@functools.lru_cache(maxsize=2048)
def _keyboard(
    choices: tuple[Choice, ...], action: str, script: str, label: str, none_label: str
) -> InlineKeyboardMarkup | None:
    rows = []
    for choice in choices:
        data = callback_data(action, script, choice.entry_id)
        text = choice.topic if label == "topic" and choice.topic else choice.question
        if data and text.strip():
            rows.append([InlineKeyboardButton(button_label(text), callback_data=data)])
    if none_label:
        data = callback_data("n", script)
        rows.append([InlineKeyboardButton(button_label(none_label), callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None


def inline_article_text(reply: Reply, link_label: str | None = None) -> str:
    """The HTML message an inline result sends: a single part of at most 4096 characters,
    rendered as :func:`render_reply` renders it (``link_label`` likewise).

    A longer answer is cut at a sentence boundary and ends with "…" before the attribution
    and link, which are always kept.
    """
    rendered = render_reply(reply, related_limit=0, link_label=link_label)
    if len(rendered.parts) == 1:
        return rendered.parts[0]
    tail_plain, tail_html = _tail(reply, link_label)
    room = MAX_TEXT - utf16_len(tail_plain) - 4
    first = split_text(reply.paragraphs, limit=room)[0]
    return html.escape(first, quote=False) + ELLIPSIS + "\n\n" + tail_html


def preview(reply: Reply, length: int = MAX_PREVIEW) -> str:
    """The start of an answer (or persona text) on one line: whitespace folded, at most
    ``length`` characters (code points, >= 1), ending with "…" when cut."""
    return shorten(" ".join(" ".join(reply.paragraphs).split()), length)
