# syntax=docker/dockerfile:1
# ---- build: compile TypeScript and build better-sqlite3's native addon -------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: production dependencies and dist/ only, as a non-root user ----------------
FROM node:20-bookworm-slim AS runtime
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
