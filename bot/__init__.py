"""Mensch interview bot: answers with Arthur Mensch's verbatim words from one interview.

Data flows text → normalize (:mod:`bot.pipeline.text`) → match (:mod:`bot.pipeline.matcher`) → reply
(:mod:`bot.pipeline.engine`, :mod:`bot.pipeline.reply`) → channel (:mod:`bot.channels.console`,
:mod:`bot.channels.telegram`).
"""

__version__ = "0.1.0"
