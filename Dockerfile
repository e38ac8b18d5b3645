# syntax=docker/dockerfile:1
#
# One image for every service. The SERVICE build argument only picks the default command:
#
#   docker build --build-arg SERVICE=visits -t cppcc-platform/visits .
#   docker run --rm cppcc-platform/visits                      # python -m services.visits
#   docker run --rm cppcc-platform/visits \
#       python -m shared.messaging.topics --bootstrap-servers kafka:9092   # any other command
#
# docker-compose.yml builds it once per service (`args: SERVICE: ...`); BuildKit shares every
# layer but the last, so the four images cost one build.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv
WORKDIR /src

# Dependencies get their own layer, rebuilt only when pyproject.toml or constraints.txt change:
# the runtime dependencies listed in pyproject.toml, at the versions pinned in constraints.txt.
COPY pyproject.toml constraints.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project'].get('dependencies', []); open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install -c constraints.txt -r /tmp/requirements.txt

# Then the project itself, exactly as everywhere else: `pip install -c constraints.txt .`.
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -c constraints.txt . \
    && pip check

# --------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    MEMBERS_HTTP_HOST=0.0.0.0 \
    VISITS_HTTP_HOST=0.0.0.0 \
    NOTIFICATIONS_HTTP_HOST=0.0.0.0 \
    REPORTING_HTTP_HOST=0.0.0.0

# A fixed non-root uid/gid (10001) so Kubernetes `runAsNonRoot` can verify it and so files the
# one-shot `jwt-keys` container writes are readable by the services. /keys is created owned by
# that user: Docker copies the ownership into a fresh named volume mounted there.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 /keys

COPY --from=builder /opt/venv /opt/venv
# The source tree is also copied as is (first on PYTHONPATH) so non-Python files next to the
# code (SQL migrations, templates, JSON schemas) are present whatever the package-data globs.
COPY --from=builder --chown=root:root /src/services /app/services
COPY --from=builder --chown=root:root /src/shared /app/shared

WORKDIR /app
USER 10001:10001

# members 8001, visits 8002, notifications 8003, reporting 8004 (<PREFIX>_HTTP_PORT).
EXPOSE 8001 8002 8003 8004

# Readiness of whichever service this container runs; compose defines its own probe too.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; s = os.environ['SERVICE']; p = os.environ.get(s.upper() + '_HTTP_PORT') or {'members': '8001', 'visits': '8002', 'notifications': '8003', 'reporting': '8004'}[s]; urllib.request.urlopen('http://127.0.0.1:' + p + '/health/ready', timeout=4)"]

# Last, so every layer above is shared by the four service images.
ARG SERVICE=members
ENV SERVICE=${SERVICE}

# The shell only expands SERVICE; `exec` hands PID 1 to Python so SIGTERM reaches uvicorn.
CMD ["/bin/sh", "-c", "exec python -m \"services.${SERVICE}\""]
