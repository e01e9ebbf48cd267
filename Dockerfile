# syntax=docker/dockerfile:1

# Trajectorie API image: `docker compose up` (see docker-compose.yml) or
#   docker build -t trajectorie . && docker run -e DATABASE_URL=… -e SECRET_KEY=… -p 8000:8000 trajectorie
# The image has no embedded PostgreSQL (its binaries are an optional dependency, left out): set DATABASE_URL
# (or DB_HOST…DB_NAME).

# ---- build: full dependency tree (Nest CLI, TypeScript), compile src/ to dist/ ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# bcrypt ships prebuilt binaries for linux x64/arm64 (glibc), so no compiler toolchain is needed.
RUN npm ci --omit=optional --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled app only ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# Writable folders for the non-root user: local uploads (STORAGE_PROVIDER=local) and the mail outbox (no SMTP_URL).
RUN mkdir -p /app/data /app/uploads && chown node:node /app/data /app/uploads
USER node
EXPOSE 8000
# node:20-slim has neither curl nor wget; Node 20 has fetch. /health is 503 when the database is unreachable.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Pending migrations run at start-up (MIGRATIONS_RUN=false to skip); SIGTERM drains requests, then exits.
CMD ["node", "dist/src/main.js"]
