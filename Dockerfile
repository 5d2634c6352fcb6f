# syntax=docker/dockerfile:1
# davgate as a container image: build with dev dependencies, run with production ones only.
# See README.md "Deployment".

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` runs the prepare script (= build), which needs the sources: install without
# scripts first so this layer is cached on the lockfile alone, then build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DAVGATE_HOST=0.0.0.0 \
    DAVGATE_PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: prepare (= tsc) needs the dev dependencies this stage leaves out; dist/
# comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema.graphql ./
# davgate writes nothing to disk, so the image works with a read-only root filesystem.
USER node
EXPOSE 4000
# No curl in slim images: node's own fetch asks /healthz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.DAVGATE_PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/davgate.js", "serve"]
