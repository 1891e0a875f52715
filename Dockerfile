# syntax=docker/dockerfile:1
# Build: type-check and compile to dist/.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json drizzle.config.ts ./
COPY src ./src
COPY schemas ./schemas
RUN npm run build

# Runtime: production dependencies only, compiled code, migrations; runs as a non-root user.
FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# migrate.ts finds migrations two levels above itself: dist/src/db -> dist/migrations.
COPY migrations ./dist/migrations
# The public pages read their templates and stylesheet next to their compiled module.
COPY src/modules/public-pages/views ./dist/src/modules/public-pages/views
COPY src/modules/public-pages/assets ./dist/src/modules/public-pages/assets
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/server.js"]
