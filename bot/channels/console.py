"""The local console channel: type a question, read the reply. No token, no network.

Line editing and history come from :mod:`readline` where the platform has it (history is
kept for the session only). A numbered suggestion or topic is picked by typing its number;
after "did you mean" suggestions, ``0``, ``none`` or the "none of these" label itself gives
the honest fallback, as the Telegram button does. ``:help`` (or ``/help``) lists the topics;
``:q``, ``:quit`` or Ctrl-D quits; Ctrl-C clears the line.

The console only formats what the engine's :class:`bot.pipeline.reply.Reply` carries (the choices,
the "none of these" label and its reply, the pick-range hint).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from typing import TextIO

from bot.curation.unanswered import UnansweredLog
from bot.pipeline.conversation import Context
from bot.pipeline.engine import Engine
from bot.pipeline.reply import Reply, render_text

QUIT = {":q", ":quit", ":exit"}
HELP = {":help", ":h", "/help", "/start"}
"""Lines that show how to ask and the numbered topics instead of being matched."""
NONE = {"0", "none", ":none"}
"""Lines that choose "none of these" after suggestions (as does the reply's own label)."""


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
        After suggestions, for a line in :data:`NONE` or the reply's "none of these" label
        (any letter case): the reply that choice leads to (``last.declined``, the same reply
        the Telegram button gives). For the number of one of the last reply's choices: the
        answer for the picked entry; for a number out of range, the last reply's pick-range
        hint with the same choices. Otherwise ``engine.answer(line)`` (in the conversation's
        script when the line has no letters).
    """
    hint = last.script if last is not None else None
    if line.lower() in HELP:
        return engine.help(line, hint or "hant")
    if last is not None and last.declined is not None and _says_none(line, last.none_label):
        return last.declined
    if last is not None and line.isdigit():
        choices = last.choices
        index = int(line) - 1
        if 0 <= index < len(choices):
            return engine.answer_entry(choices[index].entry_id, last.script)
        if choices:
            return replace(last, kind="smalltalk", paragraphs=(last.pick_hint,), header="")
    return engine.answer(line, script_hint=hint, context=context)


def _says_none(line: str, label: str) -> bool:
    """True when ``line`` chooses "none of these": a line of :data:`NONE`, or ``label`` (the
    reply's own "none of these" label) in any letter case."""
    return line.lower() in NONE or line.casefold() == label.casefold()


def render_console(reply: Reply) -> str:
    """Console view: :func:`bot.pipeline.reply.render_text` with every choice numbered (related
    questions too) and "none of these" listed as 0 when the reply offers it."""
    return render_text(reply, numbered=True)


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
        reply = respond(engine, line, last, context)
        # "none of these" answers no question of its own: like the Telegram button, not logged
        asked = last is None or reply is not last.declined
        last = reply
        context = context.after(last)
        if log is not None and asked:
            log.record(last, "console", None)
        stdout.write("\n" + render_console(last) + "\n")
        stdout.flush()
