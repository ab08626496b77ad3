# Book N Meet, production image: `docker compose up` with compose.yaml (PostgreSQL + Redis).
# Bookworm: its PostgreSQL client (15) matches compose.yaml's server for `server.py backup`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump / pg_restore for `python server.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first (pyproject installs no package of its own), so code changes reuse the layer.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin booknmeet \
    && mkdir -p /data /backups \
    && chown booknmeet /data /backups
USER booknmeet

# Settings (python server.py settings lists them all); compose.yaml sets the rest.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=4 \
    LOG_FORMAT=json \
    DATABASE_URL=sqlite:///data/booknmeet.sqlite3 \
    BACKUP_DIR=/backups

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/healthz\", timeout=4)"]

# Checks the settings (one line naming a wrong one, exit 2), then uvicorn with WORKERS processes;
# each applies pending migrations on start, one at a time.
CMD ["python", "server.py", "serve"]
