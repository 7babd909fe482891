# One image for both roles: `node dist/bin/api.js` or `node dist/bin/worker.js` (see docker-compose.yml).
# Build stage: compile TypeScript and bundle the workflows once (`npm run build`), so workers start
# without webpack (samples-typescript `production/`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# dns.lookup (every send's and every URL check's) runs on libuv's thread pool, 4 threads by default, and
# a lookup cannot be cancelled: names on a DNS server that never answers would hold all four for the
# resolver's timeout while other tenants' lookups queue. 16 threads cost nothing while idle.
ENV UV_THREADPOOL_SIZE=16
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/bin/api.js"]
