#!/usr/bin/env bash
# Runs cargo for wasm32-unknown-unknown. Uses rustup's target where one is installed; on
# machines without it (no internet for rustup) falls back to Debian's rustc-web, which builds
# std from source (see shared/notes/wasm-toolchain.md in the steering repo).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/wasm}"
sub=$1
shift
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  exec cargo "$sub" --target wasm32-unknown-unknown "$@"
fi
if [ ! -x /usr/bin/cargo ] || ! command -v wasm-ld-19 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld-19 >/dev/null
fi
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19
exec /usr/bin/cargo "$sub" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort "$@"
