# One image recipe for every app: docker build --build-arg APP=gateway -t seckill-gateway .
# (APP = gateway | order-worker | push-gateway | web). The workspace is built once;
# the runtime stage keeps only production dependencies.
FROM node:20-slim AS build
RUN npm install --global pnpm@10.34.8
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm exec turbo run build \
 && pnpm prune --prod --ignore-scripts

FROM node:20-slim
ARG APP
# Images listen on every interface (the apps default to loopback); the demo login stays off.
ENV NODE_ENV=production APP=${APP} HOST=0.0.0.0
WORKDIR /repo
COPY --from=build --chown=node:node /repo /repo
USER node
WORKDIR /repo/apps/${APP}
# The exec form cannot expand ARG; `exec` makes node PID 1 so it receives SIGTERM itself.
CMD ["sh", "-c", "exec node dist/main.js"]
