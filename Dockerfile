# mensch-bot: the Arthur Mensch interview bot on Telegram.
#
#   docker build -t mensch-bot .
#   docker run -d --name mensch-bot --restart on-failure:5 \
#       --env-file /etc/mensch-bot/env -v mensch-bot-state:/var/lib/mensch-bot mensch-bot
#
# The token comes only from the environment (TELEGRAM_BOT_TOKEN); nothing secret is baked in.
# Exit status 2 (bad token, config or knowledge) is not fixed by restarting: on-failure:5 gives
# up after 5 tries. See docs/deploy.md.

# -- build: install the package (knowledge and default config inside it) into a virtualenv -------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first, so editing the code or the knowledge does not re-download them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && /opt/venv/bin/pip install -r requirements.txt
# The package: a normal (not editable) install; setup.py copies config.yaml, knowledge/ and the
# question set into bot/_data/ of the wheel.
COPY setup.py MANIFEST.in README.md config.yaml ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY tests/data/questions.yaml ./tests/data/questions.yaml
RUN /opt/venv/bin/pip install --no-deps . \
    && /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv
# Bytecode is compiled here, once, and kept: the image is read-only for the bot, so without it
# every start would recompile jieba and the rest (2-3x slower start, more memory).
# unchecked-hash: valid whatever the file times become when the layer is copied.

# -- run: the virtualenv and a non-root user -----------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/home/mensch/.cache \
    STATE_DIRECTORY=/var/lib/mensch-bot

# A dedicated user owning only its home (caches: $XDG_CACHE_HOME/mensch-bot) and the state dir
# /var/lib/mensch-bot (the unanswered-question log of the shipped config, as under systemd).
RUN groupadd --system --gid 10001 mensch \
    && useradd --system --uid 10001 --gid mensch --home-dir /home/mensch --create-home \
        --shell /usr/sbin/nologin mensch \
    && install -d -o mensch -g mensch -m 0700 /var/lib/mensch-bot /home/mensch/.cache/mensch-bot

# Code, knowledge and default config: root-owned inside the virtualenv, read-only for the bot.
COPY --from=build /opt/venv /opt/venv
WORKDIR /home/mensch

USER mensch
# Validate the knowledge at build time (a bad edit fails the build) and warm the caches (jieba's
# dictionary, the sentence encoder's weights, the knowledge embeddings), so the first start
# does not have to build them.
RUN mensch-bot check

VOLUME ["/var/lib/mensch-bot"]
# The Telegram channel stops cleanly on SIGTERM (in-flight replies are sent first).
STOPSIGNAL SIGTERM
CMD ["mensch-bot", "run"]
