# One image for every process of the platform; compose and k8s pick the process by command, e.g. `node services/order/dist/main.js`.

# bookworm-slim rather than alpine: glibc like the machines the lockfile and tests run on (no musl surprises in
# DNS resolution or prebuilt binaries), and still small (~75 MB base). Override with --build-arg NODE_IMAGE=...
ARG NODE_IMAGE=node:26-bookworm-slim

# Every workspace's package.json, alone: the dependency layers below are rebuilt only when one of these changes.
# platform/* (the embedded platform, `npm start`) is a workspace of the lock file, so its manifest comes too; no
# container runs it, so it is neither built nor copied below.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out && cp package.json package-lock.json /out/ \
 && for ws in libs/* services/* gateway platform/* console; do mkdir -p "/out/$ws" && cp "$ws/package.json" "/out/$ws/"; done

# Compile with the dev toolchain (typescript); only dist/ leaves this stage.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
# No install scripts: only dev tools (swc, parcel's watcher) have any, and tsc needs neither.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs ./libs
COPY services ./services
COPY gateway ./gateway
COPY console ./console
# The workspaces the image ships, each with what it references (tests excluded). The saga console is static files
# (Vite, lit bundled in): only console/dist reaches the runtime, which the gateway serves at /.
RUN npx tsc -b libs/* services/* gateway \
 && npx vite build console --logLevel warn \
 && mkdir /dist && for ws in libs/* services/* gateway console; do mkdir -p "/dist/$ws" && cp -r "$ws/dist" "/dist/$ws/"; done

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests /out/ ./
# Production dependencies only; npm links each @saga/* workspace into node_modules, resolved by the dists copied next.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /dist/ ./
COPY infra/docker/own-address.js ./infra/docker/own-address.js
COPY infra/docker/secret-env.js ./infra/docker/secret-env.js
# SERVICE_ADDRESS=auto -> this container's IP, before the service reads its config (each replica registers itself);
# NAME_FILE -> NAME and $(NAME) expanded, so passwords come from the secrets volume, not docker-compose.yml.
ENV NODE_OPTIONS="--require /app/infra/docker/own-address.js --require /app/infra/docker/secret-env.js"
# Files stay root-owned (read-only to the process); the process runs as the image's unprivileged `node` user.
USER node
EXPOSE 3001 3002 3003 3004 4010 8080
# No curl in slim images: Node's fetch. PORT is the variable every service listens on (8080 = the gateway's default).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "gateway/dist/main.js"]
