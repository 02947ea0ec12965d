"""Where users talk to the bot: the console and Telegram. Channels only render what a Reply
carries."""
