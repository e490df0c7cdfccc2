# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY app ./app
RUN /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 cohesion
COPY --from=build /venv /venv
WORKDIR /srv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY examples ./examples
# The demo documents (`cohesion load-demo` reads them from ./demo, as the plans from ./examples).
COPY demo ./demo
ENV PATH="/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    COHESION_ENVIRONMENT=production
USER cohesion
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Migrate, then serve. Several replicas may start at once: Alembic's upgrade is transactional
# on PostgreSQL, so a second replica waits and finds nothing to do.
# X-Forwarded-For is believed only from the reverse proxies in COHESION_FORWARDED_ALLOW_IPS
# (addresses or networks, comma-separated; loopback by default): set it to your proxy's or
# load balancer's address, or the log-in limits count every client as the proxy.
ENV COHESION_FORWARDED_ALLOW_IPS=127.0.0.1
CMD ["sh", "-c", "cohesion migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers --forwarded-allow-ips \"$COHESION_FORWARDED_ALLOW_IPS\" --no-access-log"]
