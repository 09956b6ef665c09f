# Beacon's API image. Runs TypeScript directly with tsx, as `npm start` does.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema ./schema
COPY src ./src
COPY web ./web
COPY codegen.yml tsconfig.json warmup.json* ./
ENV HOST=0.0.0.0 PORT=4000
EXPOSE 4000
USER node
# node itself is PID 1, so SIGTERM reaches main.ts and drains requests (`npx` would exit on SIGTERM without passing it on).
CMD ["node", "--import", "tsx", "src/main.ts"]
