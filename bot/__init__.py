"""Mensch interview bot: answers with Arthur Mensch's verbatim words from one interview.

Data flows text → normalize (:mod:`bot.text`) → match (:mod:`bot.matcher`) → reply
(:mod:`bot.engine`, :mod:`bot.reply`) → channel (:mod:`bot.console`, :mod:`bot.telegram`).
"""

__version__ = "0.1.0"
