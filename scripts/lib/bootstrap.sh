# Sourced by scripts/start and scripts/test: makes a fresh clone runnable.
# Installs pnpm and the workspace, brings the infrastructure up, migrates the database.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 KAFKAJS_NO_PARTITIONER_WARNING=1

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

step() { printf '\n==> %s\n' "$*"; }

# 20.12: node:util parseEnv (devstack reads .env with it).
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 12) ? 0 : 1)' 2>/dev/null; then
  echo "Seckill needs Node.js 20.12 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# pnpm pinned by packageManager; corepack is unreliable on this Node, so install it with npm.
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  step "installing pnpm $PNPM_VERSION"
  if ! npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    npm install --silent --prefix "$ROOT/.infra/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$ROOT/.infra/pnpm/node_modules/.bin:$PATH"
  fi
fi

step "installing dependencies"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v '^Progress' | tail -n 5

step "starting infrastructure (Kafka, PostgreSQL, Redis, NATS)"
bash infra/bin/infra up

step "migrating the database"
pnpm --silent db:migrate
