# syntax=docker/dockerfile:1
# Base image: Node.js 24 (LTS), Debian bookworm slim, pinned by digest so that every build gets
# the same bytes and a re-pushed tag can change nothing. The digest is the multi-platform index
# that node:24-bookworm-slim pointed to when it carried Node 24.18.0 (July 2026), as pinned in
# several independent public Dockerfiles. It could not be re-resolved when it was written (no
# container registry is reachable from that machine). To move to a newer Node 24 release:
#   docker buildx imagetools inspect node:24-bookworm-slim   # "Digest:" line
# and replace the digest here (both stages use it). better-sqlite3 12.x supports Node 20-25.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: compile TypeScript and build better-sqlite3's native addon -------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Exactly package-lock.json, with every dependency's install scripts OFF; then the one native
# addon is built explicitly, from source (no prebuilt binary is downloaded).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm_config_build_from_source=better-sqlite3 npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: production dependencies and dist/ only, as a non-root user ----------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/data/gpu-bot.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json manifest.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# GET /healthz answers 200 when the store is open and the watcher is running (both modes)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# On SIGTERM the bot waits up to FLUENCE_TIMEOUT_MS + 5 s (20 s by default) for a deploy in flight
# before closing its database: run it with a stop grace period of at least that (Docker's default
# is 10 s): `docker run --stop-timeout 30`, Compose `stop_grace_period: 30s`.
CMD ["node", "dist/main.js"]
