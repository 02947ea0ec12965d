"""The ``mensch-bot`` command line: console, ask, check, eval, init, misses, run.

Every command reads the config through :func:`load` (all sections, the channels' included), so
they all accept and reject the same files.

Exit status: 0 on success; 2 for malformed knowledge or config (one ``file:line: problem``
line on stderr), for ``check`` problems of any kind (variants that do not reach their own entry
included: one line each on stdout), or bad usage; 1 when ``run`` cannot reach the Bot API
server at start-up; 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from bot import __version__, paths
from bot.curation.misses import add_parser as add_misses_parser
from bot.errors import EXIT_DATA_ERROR, DataError
from bot.loading.config import Config, load_config


def load(path: str | Path | None = None) -> Config:
    """The one config loader of every command, hot reload included: every section read and
    checked, the channels' too (``Config.telegram`` is a
    :class:`bot.channels.telegram.settings.TelegramSettings`; that module does not import
    python-telegram-bot).

    Args:
        path: the config file; None picks the default
        (:func:`bot.loading.config.default_config_path`).

    Raises:
        DataError: missing file (named), invalid YAML, an unknown key or a bad value, as
            ``file:line: problem``.
    """
    from bot.channels.telegram.settings import TelegramSettings

    return load_config(path, channels={"telegram": TelegramSettings})


def _engine(args: argparse.Namespace):
    """Load config (:func:`load`) and knowledge into an Engine with ``args.build_engine`` (see
    :func:`main`); also the factory hot reload calls again.

    Raises:
        DataError: malformed config or knowledge.
    """
    return args.build_engine(load(args.config))


def _build_engine(config: Config):
    """The default ``build_engine``: ``Engine.from_config`` (imported when first needed)."""
    from bot.pipeline.engine import Engine

    return Engine.from_config(config)


def cmd_console(args: argparse.Namespace) -> int:
    """Interactive console (no token, no network)."""
    from bot.channels.console import run_console
    from bot.curation.unanswered import UnansweredLog

    engine = _engine(args)
    return run_console(engine, args.stdin, args.stdout, log=UnansweredLog(engine.config.unanswered))


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer the question given, or one question per stdin line."""
    from bot.pipeline.conversation import Context
    from bot.pipeline.reply import render_text

    engine = _engine(args)
    questions: Iterable[str] | None = [" ".join(args.question)] if args.question else None
    out = args.stdout
    if questions is None:
        if args.stdin.isatty() and not args.json:
            print(
                "mensch-bot ask: give a question, or pipe questions one per line", file=args.stderr
            )
            return EXIT_DATA_ERROR
        questions = (line.rstrip("\r\n") for line in args.stdin)
    first = True
    context = Context() if args.conversation else None
    for question in questions:
        reply = engine.answer(question, context=context)
        if context is not None:
            context = context.after(reply)
        if args.json:
            out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(("" if first else "\n") + render_text(reply) + "\n")
        out.flush()
        first = False
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate config and knowledge; every variant must reach its own entry."""
    from bot.curation.check import check_variants
    from bot.curation.unanswered import unwritable_reason

    engine = _engine(args)
    log = engine.config.unanswered
    reason = unwritable_reason(log.path) if log.path is not None else None
    if reason:
        line = engine.config.lines.get("unanswered.path", 0)
        print(
            f"{engine.config.path}:{line}: warning: unanswered log {log.path} cannot be written "
            f"({reason}): unanswered questions will not be logged; give a writable "
            "unanswered.path (see docs/deploy.md)",
            file=args.stderr,
        )
    problems = check_variants(engine)
    for problem in problems:
        print(problem, file=args.stdout)
    entries = engine.knowledge.entries
    variants = sum(len(e.variants) for e in entries)
    if problems:
        print(f"check: {len(problems)} problem(s) in {len(entries)} entries", file=args.stderr)
        return EXIT_DATA_ERROR
    print(
        f"check: ok — {engine.config.path}, {len(entries)} entries, {variants} variants, "
        f"{len(engine.knowledge.smalltalk)} small-talk items",
        file=args.stdout,
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Accuracy per tag on a question set, with the wrong quotes and the declines."""
    from bot.curation.evaluate import evaluate, load_cases, report

    question_set = Path(args.set) if args.set else paths.shipped_question_set()
    if not question_set.is_file():
        print(
            f"mensch-bot eval: no question set at {question_set}; give one: "
            "mensch-bot eval SET.yaml (format: tests/data/questions.yaml in the source)",
            file=args.stderr,
        )
        return EXIT_DATA_ERROR
    engine = _engine(args)
    cases = load_cases(question_set, {e.id for e in engine.knowledge.entries})
    print(report(evaluate(engine, cases)), file=args.stdout)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write an editable copy of the shipped config.yaml and knowledge/ into a folder."""
    import shutil

    target = Path(args.directory).expanduser()
    source = paths.shipped_config()
    config, knowledge = target / "config.yaml", target / "knowledge"
    for existing in (config, knowledge):
        if existing.exists():
            print(f"mensch-bot init: {existing} exists; not overwritten", file=args.stderr)
            return EXIT_DATA_ERROR
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source.parent / "knowledge", knowledge)
        shutil.copyfile(source, config)
    except OSError as exc:
        print(f"mensch-bot init: cannot write {target}: {exc}", file=args.stderr)
        return EXIT_DATA_ERROR
    print(
        f"wrote {config} and {knowledge}/ (copies of the shipped ones; edit them freely)",
        file=args.stdout,
    )
    if config.resolve() == paths.user_config().resolve():
        print("it is your default config now (~/.config/mensch-bot/config.yaml)", file=args.stdout)
    else:
        print(f"use it with: mensch-bot --config {config} …", file=args.stdout)
        print(f"or:          export MENSCH_BOT_CONFIG={config}", file=args.stdout)
    print(f"then check it: mensch-bot --config {config} check", file=args.stdout)
    return 0


def build_parser(with_run: bool = True) -> argparse.ArgumentParser:
    """The argument parser (sub-commands console, ask, check, eval, init, misses, run).

    Args:
        with_run: add the Telegram ``run`` options (imports python-telegram-bot).
    """
    parser = argparse.ArgumentParser(
        prog="mensch-bot",
        description="Ask Arthur Mensch (Mistral AI) — answers are verbatim quotes of one "
        "interview. With no command, starts the console.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    config_help = (
        "config file (default: $MENSCH_BOT_CONFIG, else ~/.config/mensch-bot/config.yaml when "
        "it exists, else the one shipped with the bot; never ./config.yaml)"
    )
    parser.add_argument("--config", metavar="FILE", help=config_help)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("console", help="interactive console, no token needed")
    p.set_defaults(func=cmd_console)
    p = sub.add_parser("ask", help="answer one question, or one per stdin line")
    p.add_argument("question", nargs="*", help="the question (default: read stdin)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--conversation",
        action="store_true",
        help="the lines are one conversation: follow-ups (那優勢呢? tell me more) resolve "
        "against earlier answers (default: each line on its own)",
    )
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("check", help="validate knowledge and config")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("eval", help="accuracy on a question set")
    p.add_argument(
        "set", nargs="?", help="question set YAML (default: the project's set, shipped with it)"
    )
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("init", help="write an editable copy of the config and knowledge")
    p.add_argument(
        "directory",
        help="folder to write config.yaml and knowledge/ into (e.g. ~/.config/mensch-bot)",
    )
    p.set_defaults(func=cmd_init)
    add_misses_parser(sub, load)
    p = sub.add_parser("run", help="serve on Telegram (token in $TELEGRAM_BOT_TOKEN)")
    if with_run:
        from bot.channels.telegram.cli import add_arguments
        from bot.channels.telegram.cli import main as run_main

        add_arguments(p)
        p.set_defaults(func=lambda a: run_main(a, functools.partial(_engine, a)))
    for command in sub.choices.values():  # --config also after the sub-command
        command.add_argument(
            "--config", metavar="FILE", default=argparse.SUPPRESS, help=config_help
        )
    # Without "run" on the command line the sub-command cannot be chosen, so its options (and
    # python-telegram-bot, ~0.15 s to import) are only loaded when it is.
    return parser


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    build_engine: Callable[[Config], Any] | None = None,
) -> int:
    """Entry point of ``mensch-bot`` and ``python -m bot``. Returns the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        stdin, stdout, stderr: where the command reads and writes (default: the process's
            own streams, set to replace what they cannot encode). Usage errors, ``--help``
            and ``--version`` (argparse's own output) go there too.
        build_engine: turns the loaded config into an Engine (default:
            ``Engine.from_config``); the commands and the Telegram reloads call it.
    """
    if stdin is None:
        stdin = sys.stdin
        if hasattr(stdin, "reconfigure"):
            stdin.reconfigure(encoding="utf-8", errors="replace")
    if stdout is None or stderr is None:
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="replace")
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(with_run="run" in argv)
    try:  # argparse writes usage, help and version to sys.stdout/sys.stderr itself
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    args.stdin, args.stdout, args.stderr = stdin, stdout, stderr
    args.build_engine = build_engine or _build_engine
    func = getattr(args, "func", cmd_console)
    try:
        return func(args)
    except DataError as exc:
        print(exc, file=stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    """The ``mensch-bot`` executable and ``python -m bot``: :func:`main`, then a fast exit.

    Once the command has finished and its output is flushed, the process ends with
    ``os._exit``: the interpreter's teardown (freeing jieba's dictionary, the OpenCC
    converters and the embedding arrays, ~0.1 s) serves no one. Nothing is left unwritten:
    the unanswered log writes each record with one ``os.write``, and the Telegram channel has
    stopped inside :func:`main`.
    """
    import logging
    import os

    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    logging.shutdown()
    os._exit(status)
