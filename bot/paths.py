"""Where the bot finds its shipped data and where it may write.

The default ``config.yaml``, the ``knowledge/`` folder and the default ``eval`` question set
ship inside the package, in ``bot/_data/`` (``setup.py`` copies them there when a wheel is
built; the repository keeps one copy, at the top of the checkout). An editable install or a
run from the source tree has no ``bot/_data/`` and uses the checkout's own files, so
``mensch-bot check`` always names the real file that was read.

Nothing is ever written beside the shipped files: they may sit in a read-only site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_DATA = PACKAGE_DIR / "_data"
"""Folder of the data copied into a built wheel: config.yaml, knowledge/, questions.yaml."""
CHECKOUT = PACKAGE_DIR.parent
"""The source checkout, when the package runs from one (editable install, ``python -m bot``)."""
APP_NAME = "mensch-bot"


def data_dir() -> Path:
    """Folder holding the shipped ``config.yaml`` and ``knowledge/``: ``bot/_data`` in an
    installed wheel, else the source checkout."""
    if (PACKAGED_DATA / "config.yaml").is_file():
        return PACKAGED_DATA
    return CHECKOUT


def shipped_config() -> Path:
    """The default config.yaml that ships with the package."""
    return data_dir() / "config.yaml"


def shipped_question_set() -> Path:
    """The project's question set, default of ``mensch-bot eval``: ``bot/_data/questions.yaml``
    in a wheel, ``tests/data/questions.yaml`` in a checkout (may be missing in neither)."""
    packaged = PACKAGED_DATA / "questions.yaml"
    if packaged.is_file():
        return packaged
    return CHECKOUT / "tests" / "data" / "questions.yaml"


def is_shipped_config(path: str | Path) -> bool:
    """True when ``path`` is the shipped default config (same file)."""
    try:
        return Path(path).resolve() == shipped_config().resolve()
    except OSError:
        return False


def user_config() -> Path:
    """The user's own config, used when it exists and neither ``--config`` nor
    ``$MENSCH_BOT_CONFIG`` is given: ``$XDG_CONFIG_HOME/mensch-bot/config.yaml`` (default
    ``~/.config/mensch-bot/config.yaml``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / APP_NAME / "config.yaml"


def state_dir() -> Path:
    """Folder for what the bot writes and keeps (the unanswered-question log) when it runs on
    the shipped config: ``$STATE_DIRECTORY`` (set by systemd's ``StateDirectory=``; the first
    of several), else ``$XDG_STATE_HOME/mensch-bot``, else ``~/.local/state/mensch-bot``."""
    systemd = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd)
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(base) / APP_NAME


def cache_dir() -> Path:
    """Default cache folder: ``$XDG_CACHE_HOME/mensch-bot`` (default ``~/.cache/mensch-bot``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / APP_NAME
