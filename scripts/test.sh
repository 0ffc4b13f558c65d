#!/usr/bin/env bash
# The whole test suite, from a fresh clone, on a fresh Debian machine. CI runs exactly this
# (via .ci/run). It installs what the tests need itself: nothing is assumed beyond rustup's
# stable toolchain, apt, npm and the local services of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

step() { printf '\n=== %s\n' "$*"; }

step "system packages (Chromium, chromedriver, Debian's wasm32 Rust)"
need=()
for pkg in chromium chromium-driver rustc-web cargo-web rust-web-src lld-19 brotli; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the committed browser bundle matches its sources"
bash scripts/build-client.sh --check

step "shared builds for wasm32 (it runs in the browser)"
bash scripts/wasm-cargo.sh build -p cafe-shared

step "build the server binary (the durability tests kill and restart it)"
cargo build --locked -p cafe-server

step "PostgreSQL answers on 127.0.0.1:5432 (the store tests run on it as well as SQLite)"
# The machine runs Postgres (user postgres, trust auth, database `test`); nothing is started
# here, and its absence fails the run rather than skipping the Postgres tests.
pg_url=${CAFE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
if command -v pg_isready >/dev/null 2>&1; then
  pg_ok() { pg_isready -q -t 5 -d "$pg_url"; }
else
  pg_ok() { timeout 5 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null; }
fi
if ! pg_ok; then
  echo "PostgreSQL is required at $pg_url (127.0.0.1:5432, user postgres, trust auth," >&2
  echo "database 'test') for the store conformance and Postgres end-to-end tests." >&2
  exit 1
fi

step "NATS answers on 127.0.0.1:4222 (the cluster tests run three nodes on it)"
# Like Postgres: the machine runs NATS (nats-server, JetStream not needed); nothing is started
# here, and its absence fails the run rather than skipping the cluster tests.
nats_url=${CAFE_TEST_NATS_URL:-nats://127.0.0.1:4222}
nats_hostport=${nats_url#nats://}
if ! timeout 5 bash -c "</dev/tcp/${nats_hostport%:*}/${nats_hostport##*:}" 2>/dev/null; then
  echo "NATS is required at $nats_url (nats-server on 127.0.0.1:4222) for the cluster" >&2
  echo "end-to-end tests (tests/tests/server_cluster.rs)." >&2
  exit 1
fi

step "unit, property and end-to-end tests (Rust)"
cargo test --workspace --locked

step "browser tests (rebuilt bundle, real Chromium, real server)"
bash tests/browser/run.sh

step "docker-compose.yml is valid"
# No Docker engine runs here, but the compose file can still be parsed and checked: with the
# compose plugin where it exists, else Debian's standalone docker-compose.
if docker compose version >/dev/null 2>&1; then
  docker compose config --quiet
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  docker-compose config --quiet
fi
echo "all test stages passed"
