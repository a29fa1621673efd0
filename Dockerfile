# The Nango worker. Built from the repository root: docker build -t nango-worker .
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
# `npm ci` compiles better-sqlite3 and runs the `prepare` build of every package.
RUN npm ci && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    NANGO_INTEGRATIONS_YAML=/app/integrations.yaml \
    NANGO_INTEGRATIONS_DIR=/app/integrations \
    NANGO_DB_PATH=/data/nango.sqlite \
    NANGO_HOST=0.0.0.0 \
    NANGO_PORT=3003
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY package.json ./
COPY integrations.yaml ./integrations.yaml
COPY integrations ./integrations
VOLUME ["/data"]
EXPOSE 3003
CMD ["node", "packages/server/dist/cli.js"]
