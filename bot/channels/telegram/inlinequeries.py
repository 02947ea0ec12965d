"""Inline mode: ``@Bot question`` in any chat offers articles that send a formatted answer."""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.channels.telegram.context import Context, update_script
from bot.channels.telegram.delivery import answer_query
from bot.channels.telegram.render import inline_article_text, preview

log = logging.getLogger(__name__)

MAX_INLINE_RESULTS = 50
"""Bot API answerInlineQuery: at most 50 results."""
MAX_RESULT_ID = 64
"""Bot API InlineQueryResult id: 1-64 bytes (UTF-8). Results carry the entry id."""


def _articles(
    engine, pairs, script: str, limit: int, link_label: str
) -> list[InlineQueryResultArticle]:
    """Articles for (entry id, title) pairs: title, start of the answer, the answer itself
    (rendered as in chats, the source link labelled ``link_label``)."""
    results, seen = [], set()
    for entry_id, title in pairs:
        if entry_id in seen or len(entry_id.encode("utf-8")) > MAX_RESULT_ID:
            continue
        seen.add(entry_id)
        try:
            reply = engine.answer_entry(entry_id, script)
        except KeyError:
            continue
        results.append(
            InlineQueryResultArticle(
                id=entry_id,
                title=title or entry_id,
                description=preview(reply),
                input_message_content=InputTextMessageContent(
                    inline_article_text(reply, link_label)
                ),
            )
        )
        if len(results) >= limit:
            break
    return results


async def inline_query(update: Update, context: Context) -> None:
    """Answer an inline query: up to ``inline_results`` articles for a question (the match,
    then its related entries; or the suggestions; or the topics when nothing matched), and
    the list of topics for an empty query. ``cache_time`` is ``inline_cache_time``."""
    query = update.inline_query
    if query is None:
        return
    runtime = context.runtime
    engine = context.engine
    text = query.query.strip()
    if not text:
        script = update_script(update, context)
        topics = engine.topics(script)
        pairs = [(c.entry_id, c.topic or c.question) for c in topics]
        limit = MAX_INLINE_RESULTS
    else:
        reply = engine.answer(text)
        script = reply.script
        if reply.kind == "answer":
            choices = [(reply.entry_id, reply.interviewer_question or text)]
            choices += [(c.entry_id, c.question) for c in reply.related]
        elif reply.kind in ("suggest", "related"):
            choices = [(c.entry_id, c.question) for c in reply.suggestions]
        else:
            choices = [(c.entry_id, c.topic or c.question) for c in reply.topics]
        pairs = [(entry_id, label) for entry_id, label in choices if entry_id is not None]
        limit = runtime.settings.inline_results
    link_label = runtime.settings.text(script, "source_link")
    results = _articles(engine, pairs, script, min(limit, MAX_INLINE_RESULTS), link_label)
    await answer_query(
        lambda: query.answer(results, cache_time=runtime.settings.inline_cache_time),
        sleep=runtime.sleep,
    )
