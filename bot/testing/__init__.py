"""Test doubles and drivers shared by the test suite (``tests/``) and the benchmarks
(``benchmarks/``); the bot itself never imports them.

- :mod:`bot.testing.config`: a copy of the shipped ``config.yaml`` with sections replaced;
- :mod:`bot.testing.fakeapi`: a fake Telegram Bot API server on 127.0.0.1;
- :mod:`bot.testing.botprocess`: the real ``mensch-bot run`` as a subprocess against it;
- :mod:`bot.testing.soak`: the soak run (mixed updates with random faults) and its checks.
"""
