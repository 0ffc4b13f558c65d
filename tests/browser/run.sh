#!/usr/bin/env bash
# Browser tests, as CI runs them after the server is built:
#   1. npm ci (playwright-core + axe-core; Chromium is Debian's, never downloaded)
#   2. rebuild the bundle from source (scripts/build-client.sh), so the tests exercise the
#      sources and not just the committed bundle (a debug server reads client-wasm/dist at
#      run time; a release server is rebuilt here so it embeds the fresh bundle)
#   3. the client's unit tests compiled to wasm32, in headless Chrome (wasm-bindgen-test)
#   4. the end-to-end and accessibility tests (node --test) against the real server
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s\n' "$*"; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

step "npm ci (tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --silent)

step "rebuild the browser bundle from source"
bash scripts/build-client.sh

if [ -z "${CAFE_SERVER_BIN:-}" ]; then
  if [ ! -x target/debug/cafe-server ]; then
    step "build the server"
    cargo build --locked -p cafe-server
  fi
  export CAFE_SERVER_BIN=$repo/target/debug/cafe-server
fi

step "client unit tests in headless Chrome (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  bash scripts/wasm-cargo.sh test -p cafe-client --tests --locked

step "end-to-end and accessibility tests (Playwright, real Chromium, real server)"
cd tests/browser
node --test --test-concurrency=1 e2e.test.mjs a11y.test.mjs joining.test.mjs question.test.mjs bundle.test.mjs joinpage.test.mjs layout.test.mjs tables.test.mjs harvest.test.mjs projector.test.mjs vote.test.mjs actions.test.mjs moderation.test.mjs clusters.test.mjs wall.test.mjs i18n.test.mjs devices.test.mjs report.test.mjs links.test.mjs
