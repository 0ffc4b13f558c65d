#!/usr/bin/env bash
# Rebuilds the browser bundles in client-wasm/dist/ from source, one build per kind of screen
# from one tree (participant, create, console, projector, scribe: `--features <name>`):
#   cargo (wasm32, profile wasm-release) → wasm-bindgen --target web → wasm-opt -Oz →
#   import names without their hashes (scripts/short-imports.mjs)
# then names every script, wasm and style sheet by its content (`participant-1a2b3c4d.js`, so
# the server may let browsers keep them for a year), writes each build's HTML shell
# (`participant.html`, `console.html`, …), manifest.json (each bundle's files) and gzip and
# brotli siblings, and
# stamps SOURCE_HASH. The bundle is committed so running the product needs only
# stable Rust; CI rebuilds it and checks the stamp.
#
#   scripts/build-client.sh           rebuild dist/
#   scripts/build-client.sh --check   exit 1 unless dist/SOURCE_HASH matches the sources
#   scripts/build-client.sh --out DIR rebuild into DIR instead (CI tests a fresh bundle)
#
# Installs what it needs when missing: Debian's rustc-web (via scripts/wasm-cargo.sh),
# wasm-bindgen-cli at the version in Cargo.lock, npm's binaryen (Debian's is too old to read
# wasm-bindgen's output) and esbuild (minifies the JS glue and the CSS) in target/tools, and
# Debian's brotli.
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

if ! command -v brotli >/dev/null 2>&1 || ! command -v zopfli >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli zopfli >/dev/null
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
# One build per kind of screen, from one source tree (cafe_shared::screens::Bundle: the
# participant's landing/join and board, the create page, the console, the projector, the
# scribe view), so each first load carries only its own screens. Each is bound, optimized
# and named by its content.
bundles=(participant create console projector scribe)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
wasm=$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/cafe_client.wasm
# `hashed FILE` renames FILE to NAME-<first 8 hex of its sha256>.EXT and prints the new name.
hashed() {
  local f=$1 base ext h
  base=$(basename "$f"); ext=${base#*.}; base=${base%%.*}
  h=$(sha256sum "$f" | cut -c1-8)
  mv "$f" "$(dirname "$f")/$base-$h.$ext"
  echo "$base-$h.$ext"
}
build_bundle() {  # NAME CARGO-FEATURE-ARGS...
  local name=$1; shift
  bash scripts/wasm-cargo.sh build -p cafe-client --profile wasm-release --locked "${std_opts[@]}" "$@"
  local out=$stage/$name
  mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" "$wasm"
  # --low-memory-unused: the stack sits below 1 MiB and grows down, data above it, so the
  # first KiB is never addressed and wasm-opt may fold constant offsets into loads (3 KB gzip).
  # The producers and target_features sections serve only tools, and wasm-opt has read the
  # features by the time these passes drop them (stripping before wasm-opt breaks it).
  "$wasm_opt" -Oz --low-memory-unused --converge --strip-producers --strip-target-features \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  # Import names without wasm-bindgen's hashes, in the wasm and its glue alike (about 3 KB
  # gzip on every first load; scripts/short-imports.mjs says why).
  node scripts/short-imports.mjs "$out/${name}_bg.wasm" "$out/$name.js"
  # Minified (whitespace, comments, local names): about 2 KB less gzip on the first load.
  "$esbuild" "$out/$name.js" --minify --format=esm --log-level=warning --allow-overwrite \
    --outfile="$out/$name.js"
}
for name in "${bundles[@]}"; do
  build_bundle "$name" --no-default-features --features "$name"
done

mkdir -p "$stage/dist"
out=$stage/dist
cp -r client-wasm/static/. "$out/"
# The fetched languages as `key` U+001F `text` U+001E … (client-wasm/src/i18n/en.rs, `pairs`):
# the browser splits them without a JSON parser in the bundle (2.6 KB gzip less on every
# first load). static/i18n/*.json stay the tables people edit.
node -e '
const fs = require("fs");
for (const f of process.argv.slice(1)) {
  const table = JSON.parse(fs.readFileSync(f, "utf8"));
  let text = "";
  for (const [k, v] of Object.entries(table)) {
    if (/[\x1e\x1f]/.test(k + v)) throw new Error(`${f}: ${k} holds a separator`);
    text += k + "\x1f" + v + "\x1e";
  }
  fs.writeFileSync(f.replace(/\.json$/, ".txt"), text);
  fs.unlinkSync(f);
}' "$out"/i18n/*.json
# One style sheet for every screen, and the projector's and the organiser pages' with their
# own rules appended (static/projector.css, static/access.css): bytes no phone's first load
# needs.
cat "$out/style.css" "$out/projector.css" > "$out/style-projector.css"
cat "$out/style.css" "$out/access.css" > "$out/style-create.css"
rm "$out/projector.css" "$out/access.css"
declare -A css_of
for sheet in style style-projector style-create; do
  "$esbuild" "$out/$sheet.css" --minify --log-level=warning --allow-overwrite --outfile="$out/$sheet.css"
  css_of[$sheet]=$(hashed "$out/$sheet.css")
done
# One HTML shell per build from one template (static/index.html, not served itself), each
# naming its own hashed files; and what each build is made of, for manifest.json: read by the
# server (which files are immutable) and written into the service worker (what to keep for
# offline use). The id changes with any file, so a new deployment installs a new service
# worker.
entries=()
declare -A first_load
for name in "${bundles[@]}"; do
  mv "$stage/$name/$name.js" "$stage/$name/${name}_bg.wasm" "$out/"
  js=$(hashed "$out/$name.js")
  bg=$(hashed "$out/${name}_bg.wasm")
  css=${css_of[style]}
  if [ "$name" = projector ]; then css=${css_of[style-projector]}; fi
  if [ "$name" = create ]; then css=${css_of[style-create]}; fi
  # The template's script comments (lines starting `// `) are for people reading the
  # source, not for every first load.
  sed -e "s|/cafe_client.js|/$js|g" -e "s|/cafe_client_bg.wasm|/$bg|g" -e "s|/style.css|/$css|g" \
    -e '/^\/\/ /d' "$out/index.html" > "$out/$name.html"
  entries+=("\"$name\":{\"html\":\"$name.html\",\"files\":[\"$js\",\"$bg\",\"$css\"]}")
  first_load[$name]="$name.html $js $bg $css"
done
rm "$out/index.html"
build_id=$(cat "$out"/*.html "$out"/*.js "$out"/*.wasm "$out"/*.css "$out"/i18n/*.txt | sha256sum | cut -c1-12)
manifest="{\"build\":\"$build_id\",\"bundles\":{$(IFS=,; echo "${entries[*]}")}}"
echo "$manifest" > "$out/manifest.json"
sed -i "s|self.MANIFEST|$manifest|" "$out/sw.js"
"$esbuild" "$out/sw.js" --minify --log-level=warning --allow-overwrite --outfile="$out/sw.js"
# Precompressed siblings: the server sends `<file>.br` (brotli, what browsers accept over
# HTTPS) or `<file>.gz` by Accept-Encoding (server/src/assets.rs), so nothing is compressed
# per request. The gzip is zopfli's: the same format every browser reads, about 4 % smaller
# than `gzip -9` (what a browser on plain HTTP, such as a café's own laptop server on the
# room's Wi-Fi, downloads), at a few seconds per build.
for f in "$out"/*.wasm "$out"/*.js "$out"/*.css "$out"/*.html "$out"/manifest.json "$out"/i18n/*.txt; do
  zopfli -c "$f" > "$f.gz"
  brotli -q 11 -c "$f" > "$f.br"
done
source_hash > "$out/SOURCE_HASH"
mkdir -p "$dist"
rm -rf "${dist:?}"/*
cp -r "$out"/. "$dist/"

# The first load of each: the shell, its script, wasm and style sheet, and the service worker.
report() {  # LABEL BUDGET-KIB HTML FILES...
  local label=$1 budget=$2 gz=0 br=0 f
  shift 2
  for f in "$@" sw.js; do
    gz=$((gz + $(wc -c < "$dist/$f.gz")))
    br=$((br + $(wc -c < "$dist/$f.br")))
  done
  printf '%-12s first load: %7d bytes gzip (%d KiB), %7d bytes brotli (%d KiB); budget %d KiB\n' \
    "$label" $gz $((gz / 1024)) $br $((br / 1024)) "$budget"
  if [ $br -gt $((budget * 1024)) ]; then
    echo "warning: the $label first load is over its $budget KiB budget (brotli)" >&2
  fi
  if [ "$budget" = 300 ] && [ $gz -gt $((300 * 1024)) ]; then
    echo "warning: the $label first load is over 300 KiB as gzip" >&2
  fi
}
for f in "$dist"/*_bg-*.wasm; do
  printf '%-34s %8d raw %8d gzip %8d brotli\n' "$(basename "$f")" "$(wc -c < "$f")" \
    "$(wc -c < "$f.gz")" "$(wc -c < "$f.br")"
done
# Budgets (brotli, what browsers get): the participant's is issue 14's target; every staff
# screen must stay within 300 KiB even as gzip.
for name in "${bundles[@]}"; do
  # shellcheck disable=SC2086 # the list is four file names without spaces
  report "$name" "$([ "$name" = participant ] && echo 150 || echo 300)" ${first_load[$name]}
done
