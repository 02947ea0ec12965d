# mensch-bot: the Arthur Mensch interview bot on Telegram.
#
#   docker build -t mensch-bot .
#   docker run -d --name mensch-bot --restart on-failure \
#       --env-file /etc/mensch-bot/env -v mensch-bot-var:/app/var mensch-bot
#
# The token comes only from the environment (TELEGRAM_BOT_TOKEN); nothing secret is baked in.
# See docs/deploy.md.

# -- build: install the package and its wheels into a virtualenv --------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first, so editing the code or the knowledge does not re-download them.
COPY pyproject.toml README.md ./
RUN mkdir bot && touch bot/__init__.py \
    && /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall -y mensch-bot
COPY bot ./bot
RUN /opt/venv/bin/pip install --no-deps . \
    && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

# -- run: the virtualenv, the knowledge and the config; a non-root user ---------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MENSCH_BOT_CONFIG=/app/config.yaml \
    XDG_CACHE_HOME=/home/mensch/.cache

# A dedicated user owning only its home (jieba's cache: $XDG_CACHE_HOME/mensch-bot) and
# /app/var (the unanswered-question log when config.yaml says `path: var/unanswered.jsonl`).
RUN groupadd --system --gid 10001 mensch \
    && useradd --system --uid 10001 --gid mensch --home-dir /home/mensch --create-home \
        --shell /usr/sbin/nologin mensch \
    && mkdir -p /app/var /home/mensch/.cache/mensch-bot \
    && chown -R mensch:mensch /app/var /home/mensch/.cache

COPY --from=build /opt/venv /opt/venv
# Code, knowledge and config stay owned by root: read-only for the bot.
COPY config.yaml /app/config.yaml
COPY knowledge /app/knowledge
WORKDIR /app

USER mensch
# Validate the knowledge at build time (a bad edit fails the build) and warm jieba's cache,
# so the first start does not have to build it.
RUN mensch-bot check

VOLUME ["/app/var"]
# The Telegram channel stops cleanly on SIGTERM (in-flight replies are sent first).
STOPSIGNAL SIGTERM
CMD ["mensch-bot", "run"]
