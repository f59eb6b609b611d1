# syntax=docker/dockerfile:1
# ddisync operator image: `docker build -t ddisync .`
#
# Stage 1 builds the package and its dependencies into a virtualenv; stage 2 copies only that
# virtualenv onto a fresh slim base. Nothing used to build (pip caches, setuptools, wheel, any
# compiler a source-only dependency might pull in) reaches the final image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/ddisync
WORKDIR /src
COPY operator/ operator/
# The operator's distribution alone (operator/pyproject.toml): the WAPI simulator and the
# Kubernetes emulator are distributions of their own, so neither they nor their dependencies
# (kmock, cel-python, cryptography, ...) reach the image, and `ddisync demo`/`simulator` do not
# exist in it. The installers are removed afterwards, and the bytecode is compiled now because
# the root filesystem is read-only at run time.
RUN /opt/ddisync/bin/pip install --no-compile ./operator \
 && /opt/ddisync/bin/pip uninstall --yes pip setuptools \
 && /opt/ddisync/bin/python -m compileall -q /opt/ddisync

FROM ${PYTHON_IMAGE}
# The release's version, from operator/pyproject.toml: `make image` passes it (and tags the image
# with it); tests/packaging/test_release.py checks that the two agree.
ARG VERSION
LABEL org.opencontainers.image.title="ddisync" \
      org.opencontainers.image.description="Kubernetes operator syncing Network and Record resources to Infoblox NIOS" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/ddisync/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/ddisync /opt/ddisync
COPY LICENSE /usr/share/doc/ddisync/LICENSE
# A fixed, numeric non-root UID/GID (65532, "nonroot" by convention) so Kubernetes can check
# runAsNonRoot without a passwd lookup; the Helm chart sets the same IDs.
USER 65532:65532
WORKDIR /tmp
# Metrics (/metrics) and health (/healthz, /readyz); all settings come from DDISYNC_* env vars.
EXPOSE 9090 8080
ENTRYPOINT ["ddisync", "run"]
