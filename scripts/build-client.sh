#!/usr/bin/env bash
# Rebuilds the browser bundle in client-wasm/dist/ from source:
#   cargo (wasm32, profile wasm-release) → wasm-bindgen --target web → wasm-opt -Oz
# and stamps SOURCE_HASH. The bundle is committed so running the product needs only
# stable Rust; CI rebuilds it and checks the stamp.
#
#   scripts/build-client.sh           rebuild dist/
#   scripts/build-client.sh --check   exit 1 unless dist/SOURCE_HASH matches the sources
#   scripts/build-client.sh --out DIR rebuild into DIR instead (CI tests a fresh bundle)
#
# Installs what it needs when missing: Debian's rustc-web (via scripts/wasm-cargo.sh),
# wasm-bindgen-cli at the version in Cargo.lock, and npm's binaryen (Debian's is too old to
# read wasm-bindgen's output) and esbuild (minifies the JS glue and the CSS) in target/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dist=$repo/client-wasm/dist
check=0
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1 ;;
    --out) dist=$(realpath -m "$2"); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# The stamp covers every input of the bundle. Paths are hashed too, so a rename counts.
source_hash() {
  (cd "$repo" && find client-wasm/src client-wasm/static client-wasm/Cargo.toml shared/src shared/Cargo.toml \
      -type f -print | LC_ALL=C sort | while read -r f; do
        printf '%s\0' "$f"; cat "$f"
      done) | sha256sum | cut -d' ' -f1
}

if [ $check = 1 ]; then
  want=$(source_hash)
  have=$(cat "$repo/client-wasm/dist/SOURCE_HASH" 2>/dev/null || echo none)
  if [ "$want" != "$have" ]; then
    echo "client-wasm/dist is stale: SOURCE_HASH $have, sources hash to $want." >&2
    echo "Run scripts/build-client.sh and commit client-wasm/dist." >&2
    exit 1
  fi
  echo "client-wasm/dist matches its sources ($want)"
  exit 0
fi

export PATH="$HOME/.cargo/bin:$PATH"
tools=$repo/target/tools

# wasm-bindgen's CLI must match the library version exactly, or the glue is refused.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  echo "installing wasm-bindgen-cli $bindgen_version (takes a few minutes)"
  # Not --locked: the CLI's own lock file pins crates too new for Debian's rustc.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

wasm_opt=$tools/node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  echo "installing binaryen (wasm-opt) from npm into target/tools"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" binaryen@132.0.0
fi
esbuild=$tools/node_modules/.bin/esbuild
if ! "$esbuild" --version 2>/dev/null | grep -qx 0.28.2; then
  echo "installing esbuild from npm into target/tools"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" esbuild@0.28.2
fi

export CARGO_TARGET_DIR=$repo/target/wasm
# On Debian's toolchain (std built from source, RUSTC_BOOTSTRAP) panics can compile to a
# bare trap: no panic messages or formatting machinery in the bundle (about 20 KB gzip).
# rustup's stable std cannot do that; the bundle is then a little larger.
# The std built from source can also pick its size-optimized code paths (smaller sort, fmt
# and collection internals).
std_opts=()
if ! (command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'); then
  # Nor do `Debug` output (no `{:?}` in the app) or panic locations ever reach anyone.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"
  std_opts=(-Zbuild-std-features=optimize_for_size)
fi
bash scripts/wasm-cargo.sh build -p cafe-client --profile wasm-release --locked "${std_opts[@]}"
wasm=$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/cafe_client.wasm

mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name cafe_client "$wasm"
# --low-memory-unused: the stack sits below 1 MiB and grows down, data above it, so the
# first KiB is never addressed and wasm-opt may fold constant offsets into loads (3 KB gzip).
# The producers and target_features sections serve only tools, and wasm-opt has read the
# features by the time these passes drop them (stripping before wasm-opt breaks it).
"$wasm_opt" -Oz --low-memory-unused --converge --strip-producers --strip-target-features "$stage/cafe_client_bg.wasm" -o "$stage/cafe_client_bg.wasm"
cp -r client-wasm/static/. "$stage/"
# Minified (whitespace, comments, local names): about 2 KB less gzip on the first load.
"$esbuild" "$stage/cafe_client.js" --minify --format=esm --log-level=warning --allow-overwrite \
  --outfile="$stage/cafe_client.js"
"$esbuild" "$stage/style.css" --minify --log-level=warning --allow-overwrite \
  --outfile="$stage/style.css"
"$esbuild" "$stage/sw.js" --minify --log-level=warning --allow-overwrite --outfile="$stage/sw.js"
# Precompressed siblings: the server sends `<file>.gz` with Content-Encoding: gzip to
# browsers that accept it (server/src/assets.rs), so nothing is compressed per request.
for f in "$stage"/*.wasm "$stage"/*.js "$stage"/*.css "$stage"/i18n/*.json; do
  gzip -9 -n -c "$f" > "$f.gz"
done
source_hash > "$stage/SOURCE_HASH"
rm -rf "${dist:?}"/*
cp -r "$stage"/. "$dist/"

total=0
for f in index.html cafe_client.js cafe_client_bg.wasm style.css sw.js; do
  size=$(gzip -9 -c "$dist/$f" | wc -c)
  total=$((total + size))
  printf '%-22s %8d bytes raw %8d bytes gzip\n' "$f" "$(wc -c < "$dist/$f")" "$size"
done
printf 'first load (gzip -9): %d bytes = %d KiB (budget 320 KiB: the full, facilitator build)\n' "$total" $((total / 1024))
if [ $total -gt $((320 * 1024)) ]; then
  echo "warning: the first load is over the 320 KiB budget" >&2
fi
