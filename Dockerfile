# One image for the worker, the paper exchange and the webhook; the compose
# file picks the npm script to run.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY config ./config
COPY src ./src
COPY bin ./bin
USER node
CMD ["npm", "run", "worker"]
