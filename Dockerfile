# The user-code image of pdpb-pipeline for Dagster's Helm chart (deploy/helm/values.yaml): the
# package installed from its wheel (the GX suites and the Alembic migrations are inside it), with
# dagster-postgres and dagster-k8s, which a run's pod needs to load the chart's instance. The
# chart starts the code server (`dagster code-server start ... -m pdpb_pipeline.definitions`) and
# the K8sRunLauncher starts each run's pod (`dagster api execute_run ...`) with their own
# arguments, so there is no ENTRYPOINT; CMD is the code server, for `docker run`.
#
#   docker build -t registry.example.org/kpu/pdpb-pipeline:0.1.0 .
#
# Python as in the project's tested environment (requires-python >=3.10,<3.14).
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pdpb_pipeline ./pdpb_pipeline
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    PDPB_VAR_DIR=/var/lib/pdpb/var
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir "$(ls /tmp/wheels/pdpb_pipeline-*.whl)[k8s]" \
    && rm -rf /tmp/wheels \
    && groupadd --system --gid 10001 pdpb \
    && useradd --system --uid 10001 --gid pdpb --home-dir /opt/dagster --shell /usr/sbin/nologin pdpb \
    && mkdir -p /opt/dagster/dagster_home /var/lib/pdpb \
    && chown -R pdpb:pdpb /opt/dagster /var/lib/pdpb
# Not root: the numeric id, so Kubernetes' runAsNonRoot can check it.
USER 10001:10001
WORKDIR /opt/dagster
EXPOSE 3030
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "3030", "-m", "pdpb_pipeline.definitions"]
