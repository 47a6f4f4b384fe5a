# syntax=docker/dockerfile:1
#
# Production image for Playroll.
#
#   docker build -t playroll .
#   docker run -e PLAYROLL_SECRET_KEY=... -e PLAYROLL_DATABASE_URL=postgres://... -p 8000:8000 playroll
#
# Configuration comes from PLAYROLL_* environment variables at run time (see
# server/settings.py); only harmless defaults are baked in. PLAYROLL_SECRET_KEY has no
# default on purpose: the server refuses to start without one outside debug mode.
#
# .ci/run replays the two pip installs and `playroll serve --migrate` below without
# Docker, so keep the two in step.

# ---- build: install playroll and its dependencies into a self-contained venv ----------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1

# Every dependency ships manylinux wheels for CPython 3.11, so no compiler or apt
# packages are needed.
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

WORKDIR /src
# Dependencies first, pinned by the lock: a change to the code reuses this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps .

# ---- runtime: the venv only, no sources, running as an unprivileged user ---------------
FROM python:3.11-slim

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PLAYROLL_DEBUG=0 \
    PLAYROLL_DATABASE_URL=sqlite:///data/playroll.db \
    PLAYROLL_FILES_DIR=/data/files

# /data only matters for the SQLite default above; mount a volume there to keep it, or
# point PLAYROLL_DATABASE_URL at PostgreSQL (see compose.yaml).
# Attendance reports draw their PDFs with DejaVu (every Latin accent) from Debian.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 playroll \
    && useradd --system --no-log-init --uid 10001 --gid playroll \
        --home-dir /app --shell /usr/sbin/nologin playroll \
    && mkdir -p /app /data \
    && chown playroll:playroll /app /data

COPY --from=build /opt/venv /opt/venv

# Numeric so Kubernetes' runAsNonRoot can verify it: the playroll user created above.
USER 10001:10001
WORKDIR /app

EXPOSE 8000

# /healthz answers 200 only when the database is reachable (503 otherwise); urlopen
# raises on anything but 2xx, so a failing check exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# --migrate applies pending database migrations before serving. With several replicas,
# or to migrate as a separate release step, drop the flag and run
#   docker run --rm <env> playroll playroll migrate
# once per deploy instead.
CMD ["playroll", "serve", "--host", "0.0.0.0", "--port", "8000", "--migrate"]
