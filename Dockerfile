# syntax=docker/dockerfile:1
# firehouse container image: `firehouse serve` by default; `firehouse worker`, `firehouse db upgrade`
# and the other admin commands by passing them as arguments. See docs/deploy.md.
#
# Build:  docker build -t firehouse:0.1.0 .
# Run:    docker run --rm -v firehouse-data:/var/lib/firehouse firehouse:0.1.0 db upgrade
#         docker run -d -p 8000:8000 -v firehouse-data:/var/lib/firehouse firehouse:0.1.0

# ---- build: a virtual environment with firehouse and its dependencies -------------------------
# Every runtime dependency ships binary wheels for CPython 3.11 on Linux (psycopg[binary] carries
# its own libpq), so no compiler or system library is needed here or in the final image.
FROM python:3.11-slim-trixie AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/firehouse

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN /opt/firehouse/bin/pip install --no-cache-dir .

# ---- runtime: the virtual environment alone, run by an unprivileged user ----------------------
FROM python:3.11-slim-trixie

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="firehouse" \
      org.opencontainers.image.description="Open-source incident response: intake, incidents, chat, status page, on-call and guidance in one system." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# A fixed UID/GID, so volume ownership and Kubernetes' runAsUser agree across rebuilds.
RUN groupadd --system --gid 10001 firehouse \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/firehouse \
       --no-create-home --shell /usr/sbin/nologin firehouse \
    && mkdir -p /var/lib/firehouse \
    && chown 10001:10001 /var/lib/firehouse

COPY --from=build /opt/firehouse /opt/firehouse

ENV PATH=/opt/firehouse/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FIREHOUSE_LOG_FORMAT=json \
    FIREHOUSE_DATABASE_URL=sqlite:////var/lib/firehouse/firehouse.db

WORKDIR /var/lib/firehouse
# The SQLite database of a single-container deployment; unused when the URL names PostgreSQL.
VOLUME ["/var/lib/firehouse"]
USER 10001:10001
EXPOSE 8000

# slim images carry no curl: ask /healthz with the standard library instead (non-2xx raises).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

ENTRYPOINT ["firehouse"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
