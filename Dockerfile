# The all-in-one image of the local stack: gateway, Auth, Realtime, Storage, the API function,
# the web client and an embedded Postgres 17, in one process, with its data in the /data volume.
#   docker build -t chat .                      (classic builder or BuildKit alike)
#   docker run -d --name chat -p 54321:54321 -v chat-data:/data -e SUPABASE_JWT_SECRET=… chat
# Settings are the environment variables of .env.example and deploy/env/*.env.example.
# A base without a registry can be given: --build-arg BASE_IMAGE=local/bookworm-node (any Debian
# bookworm with Node 18+ and npm, and a "node" user, as the official node images have).
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}

# tini reaps orphans and passes SIGTERM on; CA certificates for SMTP, OAuth and JWKS over TLS.
RUN apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    tini ca-certificates >/dev/null \
  && rm -rf /var/lib/apt/lists/* \
  && npm install -g deno@2.9.6 >/dev/null 2>&1 \
  && deno --version \
  && mkdir -p /app /data \
  && chown node:node /data

ENV DENO_DIR=/app/.deno \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    DENO_TLS_CA_STORE=mozilla,system \
    NO_COLOR=1 \
    LOCAL_DATA_DIR=/data \
    LOCAL_HOST=0.0.0.0 \
    LOCAL_API_PORT=54321 \
    LOCAL_DB_PORT=54322 \
    LOCAL_SEED=off

WORKDIR /app

# Dependencies first (a layer that changes only with the lock file), then the code. The code
# belongs to root: the stack runs as "node" and writes only to /data, and to the dependency
# folders (Deno refreshes the vendored postgres.js link in node_modules at start).
COPY deno.json deno.lock import_map.json ./
COPY web/deno.json web/deno.json
COPY vendor vendor
RUN deno install --frozen --quiet
COPY . .
# Cache every module, and make embedded Postgres' library links, at build time.
RUN deno cache local/start.ts \
  && deno eval 'import { hydratePgSymlinks } from "./local/db/cluster.ts"; hydratePgSymlinks();' \
  && chown -R node:node /app/node_modules /app/.deno

USER node

VOLUME ["/data"]
EXPOSE 54321
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["deno", "run", "-A", "--cached-only", "local/start.ts"]
