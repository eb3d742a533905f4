#!/usr/bin/env bash
# Runs a project command with everything it needs on this machine:
#   1. a Node.js >= 22.12 (wrangler, miniflare and vitest need it); when the
#      machine's node is older, Node 24 is installed from the npm registry into
#      .tools/ (git-ignored) and put first on PATH;
#   2. the project's dependencies (npm ci), whenever package-lock.json changed;
#   3. redis-server, from Debian's packages when it is missing and we are root;
#   4. with NEEDS_CHROMIUM=1 (npm test: the dashboard's browser tests), Debian's
#      chromium the same way, unless CHROMIUM_PATH names a browser;
#   5. with NEEDS_PROMTOOL=1 (npm test: /metrics is checked by `promtool check
#      metrics`), Debian's prometheus package, which has promtool, unless
#      PROMTOOL_PATH names one;
#   6. with NEEDS_PODMAN=1 (npm test: the container agent's tests, test/docker/),
#      Debian's podman, runc and busybox-static the same way.
# Usage: bash scripts/run.sh <command> [args...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NODE_PIN="24.21.0"   # the Node brought in when the machine's is too old
MIN_NODE="22.12.0"

log() { printf '[setup] %s\n' "$*" >&2; }

version_ok() { # $1: version like 22.12.0 -> 0 when >= MIN_NODE
  [ "$(printf '%s\n%s\n' "$MIN_NODE" "$1" | sort -V | head -n1)" = "$MIN_NODE" ]
}

ensure_node() {
  local current=""
  if command -v node >/dev/null 2>&1; then current="$(node -p 'process.versions.node')"; fi
  if [ -n "$current" ] && version_ok "$current"; then return; fi
  local tools="$root/.tools/node-$NODE_PIN"
  if [ ! -x "$tools/node_modules/node/bin/node" ]; then
    log "node ${current:-none} is older than $MIN_NODE: installing Node $NODE_PIN from the npm registry into .tools/"
    mkdir -p "$tools"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund \
      --prefix "$tools" "node@$NODE_PIN" >&2
  fi
  export PATH="$tools/node_modules/node/bin:$PATH"
  log "using node $(node --version) from .tools/"
}

ensure_deps() {
  local stamp="node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ ! "package-lock.json" -nt "$stamp" ] && [ -f node_modules/.bin/wrangler ]; then return; fi
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund >&2
}

ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "redis-server is missing: installing Debian's redis-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends redis-server >&2
  else
    log "redis-server is missing. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run this again."
    exit 1
  fi
}

ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return; fi
  if command -v chromium >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "chromium is missing: installing Debian's chromium for the dashboard's browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
  else
    log "chromium is missing: the dashboard's browser tests drive it. Install it (Debian: sudo apt-get install chromium; elsewhere set CHROMIUM_PATH to a Chromium or Chrome binary) and run this again."
    exit 1
  fi
}

ensure_promtool() {
  if [ -n "${PROMTOOL_PATH:-}" ] && [ -x "$PROMTOOL_PATH" ]; then return; fi
  if command -v promtool >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    # The package also holds the Prometheus server; its service is only started where the
    # init system allows it (containers usually deny it with /usr/sbin/policy-rc.d).
    log "promtool is missing: installing Debian's prometheus package (it has promtool) for the /metrics check"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends prometheus >&2
  else
    log "promtool is missing: the tests check /metrics with it. Install it (Debian/Ubuntu: sudo apt-get install prometheus; elsewhere the promtool binary from a Prometheus release on PATH, or PROMTOOL_PATH) and run this again."
    exit 1
  fi
}

ensure_podman() {
  if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && [ -x /bin/busybox ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "podman, runc or busybox-static is missing: installing Debian's for the container agent's tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends podman runc busybox-static >&2
  else
    log "podman, runc or busybox-static is missing: the container agent's tests run a real engine (Podman's Docker-compatible API) and build a tiny image from the static busybox. Install them (Debian: sudo apt-get install podman runc busybox-static) and run this again."
    exit 1
  fi
}

ensure_node
ensure_deps
if [ "${NEEDS_REDIS:-1}" = "1" ]; then ensure_redis; fi
if [ "${NEEDS_CHROMIUM:-0}" = "1" ]; then ensure_chromium; fi
if [ "${NEEDS_PROMTOOL:-0}" = "1" ]; then ensure_promtool; fi
if [ "${NEEDS_PODMAN:-0}" = "1" ]; then ensure_podman; fi
exec "$@"
