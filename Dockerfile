# vobiz-exporter image: build the TypeScript in one stage, run the compiled output with
# production dependencies only in the next.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The lockfile makes this the same dependency tree as the one tested.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY exporter.yml /etc/vobiz-exporter/exporter.yml
USER node
EXPOSE 9817
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9817/-/healthy').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; the exporter handles SIGTERM
# and SIGINT (a PID 1 without handlers would ignore them). SIGHUP reloads the config.
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["--config.file=/etc/vobiz-exporter/exporter.yml"]
