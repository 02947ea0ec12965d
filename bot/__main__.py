"""``python -m bot`` is the same as the ``mensch-bot`` command."""

from bot.cli import entry

entry()
