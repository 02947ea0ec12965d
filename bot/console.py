"""The local console channel: type a question, read the reply. No token, no network.

Line editing and history come from :mod:`readline` where the platform has it (history is
kept for the session only). A numbered suggestion or topic is picked by typing its number.
``:help`` (or ``/help``) lists the topics; ``:q``, ``:quit`` or Ctrl-D quits; Ctrl-C clears
the line.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from typing import TextIO

from bot.conversation import Context
from bot.engine import Engine
from bot.reply import Reply, render_text
from bot.unanswered import UnansweredLog

QUIT = {":q", ":quit", ":exit"}
HELP = {":help", ":h", "/help", "/start"}
"""Lines that show how to ask and the numbered topics instead of being matched."""


def _enable_line_editing() -> None:
    # Importing readline enables editing and history for input(); Windows without
    # pyreadline has none, and plain input still works.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401


def respond(engine: Engine, line: str, last: Reply | None, context: Context | None = None) -> Reply:
    """The reply to one console line: a number picks from the last reply's choices.

    Args:
        engine: the answer path.
        line: what the user typed (stripped).
        last: the previous reply, whose suggestions (or related questions) are numbered.
        context: the session's conversation so far, for follow-ups ("那優勢呢?").

    Returns:
        The answer for the picked entry; for a number out of range, a "pick 1-N" line with
        the same choices; otherwise ``engine.answer(line)`` (in the conversation's script when
        the line has no letters).
    """
    hint = last.script if last is not None else None
    if line.lower() in HELP:
        return engine.help(line, hint or "hant")
    if last is not None and line.isdigit():
        choices = last.suggestions or last.related
        index = int(line) - 1
        if 0 <= index < len(choices):
            return engine.answer_entry(choices[index].entry_id, last.script)
        if choices:
            text = engine.persona("pick_range", last.script, count=str(len(choices)))
            return replace(last, kind="smalltalk", paragraphs=(text,), header="")
    return engine.answer(line, script_hint=hint, context=context)


def render_console(reply: Reply) -> str:
    """Console view: :func:`bot.reply.render_text`, with related questions numbered."""
    if reply.kind == "answer" and reply.related:
        body = render_text(reply).split("\n\n  · ")[0].rstrip()
        more = "\n".join(f"  {i}. {c.question}" for i, c in enumerate(reply.related, 1))
        return f"{body}\n\n{more}"
    return render_text(reply)


def run_console(
    engine: Engine,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    log: UnansweredLog | None = None,
) -> int:
    """Run the interactive loop until ``:q`` or end of input.

    Args:
        engine: the answer path.
        stdin, stdout: where lines come from and replies go.
        log: records fallback and suggestion replies for curators (channel "console").

    Returns:
        Exit status 0.
    """
    interactive = stdin.isatty()
    if interactive:
        _enable_line_editing()
    stdout.write(engine.persona("greeting", "hant") + "\n")
    stdout.write(engine.persona("greeting", "en") + "\n(:help lists the topics, :q quits)\n")
    last: Reply | None = None
    context = Context()  # one conversation per console session
    while True:
        try:
            if interactive:
                line = input("\n你> ")
            else:
                stdout.write("\n你> ")
                stdout.flush()
                line = stdin.readline()
                if not line:
                    raise EOFError
        except EOFError:
            stdout.write("\n")
            return 0
        except KeyboardInterrupt:
            stdout.write("\n")
            continue
        line = line.strip()
        if line in QUIT:
            return 0
        if not line:
            continue
        last = respond(engine, line, last, context)
        context = context.after(last)
        if log is not None:
            log.record(last, "console", None)
        stdout.write("\n" + render_console(last) + "\n")
        stdout.flush()
