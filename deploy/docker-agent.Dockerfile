# The container agent in a container (docs/docker.md): watches the engine
# through its socket, mounted read-only, and keeps the routes of labelled
# containers in the route store. Build from the repository root:
#   docker build -f deploy/docker-agent.Dockerfile -t edge-host-router-docker .
#   docker run -d --name router-docker --restart unless-stopped \
#     -v /var/run/docker.sock:/var/run/docker.sock:ro \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -e UPSTASH_REDIS_REST_URL=… -e UPSTASH_REDIS_REST_TOKEN=… \
#     -e DOCKER_AGENT_ID="$(hostname)" edge-host-router-docker
# (or, with a Redis of your own: … edge-host-router-docker --redis redis://172.17.0.1:6379)
# Set DOCKER_AGENT_ID: inside a container the engine's name is the Docker
# host's, which is the right default, but say it when several hosts share a name.
FROM node:24-bookworm-slim

# tini as PID 1: it passes docker stop's SIGTERM to the agent.
# ca-certificates: the Upstash REST API is HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN chown node:node /app
COPY --chown=node:node package.json package-lock.json ./
USER node
# The agent runs from source (Node strips the types); dockerode is a dev dependency.
RUN npm ci --no-audit --no-fund
COPY --chown=node:node . .

# Not root: reading the socket needs its group only (--group-add above); the
# agent only lists, inspects and watches containers.
ENV NEEDS_REDIS=0
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "scripts/docker.ts"]
