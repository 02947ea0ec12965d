"""The Telegram channel: translates Telegram updates into questions for the one answer path
(:meth:`bot.pipeline.engine.Engine.answer`) and its :class:`bot.pipeline.reply.Reply` back into
messages.

One module per feature: :mod:`.commands`, :mod:`.messages` (questions in chats),
:mod:`.callbacks` (buttons), :mod:`.inlinequeries`, :mod:`.admin`, :mod:`.errorhandler`;
:mod:`.addressing` decides what in a group is meant for the bot, :mod:`.delivery` sends with
recovery from Bot API errors, :mod:`.render` turns a Reply into HTML parts, :mod:`.app` only
wires, and :mod:`.cli` runs ``mensch-bot run``.
"""
