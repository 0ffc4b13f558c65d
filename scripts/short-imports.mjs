// Drops the hash wasm-bindgen appends to each import's name (`__wbg_fetch_21015a0a4570ab44`
// becomes `__wbg_fetch`), in the wasm's import section and in its JS glue alike.
//
//   node scripts/short-imports.mjs DIR/NAME_bg.wasm DIR/NAME.js
//
// Why: a build imports about 140 functions, and each name is written twice (the wasm asks
// for it, the glue provides it). Sixteen random hex digits compress to nothing, so they
// cost about 2 KB gzip on every first load and tell nobody anything. The hash only keeps
// names apart within one build; where two would now collide the second keeps a counter.
// Called by scripts/build-client.sh after wasm-opt, before the glue is minified.
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: short-imports.mjs NAME_bg.wasm NAME.js');
  process.exit(2);
}
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');

function readLeb(buf, pos) {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) return [result, pos];
  }
}
function leb(n) {
  let v = BigInt(n);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
function readName(buf, pos) {
  const [len, at] = readLeb(buf, pos);
  const end = at + Number(len);
  return [buf.subarray(at, end).toString('utf8'), end];
}
const nameBytes = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);

// The bytes of one import's description, after its kind byte.
function skipDesc(buf, kind, pos) {
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = readLeb(buf, p);
    if (flags & 1) [, p] = readLeb(buf, p);
    return p;
  };
  switch (kind) {
    case 0: return readLeb(buf, pos)[1]; // function: type index
    case 1: return limits(pos + 1); // table: element type, limits
    case 2: return limits(pos); // memory: limits
    case 3: return pos + 2; // global: value type, mutability
    case 4: return readLeb(buf, pos + 1)[1]; // tag: attribute, type index
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${wasmPath}: not a wasm module`);
const sections = [];
let pos = 8;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, at] = readLeb(wasm, pos + 1);
  const end = at + Number(size);
  sections.push({ id, start: pos, body: at, end });
  pos = end;
}
const imports = sections.find((s) => s.id === 2);
if (!imports) throw new Error(`${wasmPath}: no import section`);

const renamed = new Map();
const taken = new Set();
let [count, p] = readLeb(wasm, imports.body);
const parts = [leb(count)];
for (let i = 0n; i < count; i++) {
  let module, field;
  [module, p] = readName(wasm, p);
  [field, p] = readName(wasm, p);
  const kind = wasm[p];
  const descEnd = skipDesc(wasm, kind, p + 1);
  const desc = wasm.subarray(p, descEnd);
  p = descEnd;
  const m = /^(__wbg_.+)_[0-9a-f]{16}$/.exec(field);
  let name = field;
  if (m) {
    name = m[1];
    for (let n = 2; taken.has(name); n++) name = `${m[1]}_${n}`;
    renamed.set(field, name);
  }
  taken.add(name);
  parts.push(nameBytes(module), nameBytes(name), desc);
}
if (p !== imports.end) throw new Error(`${wasmPath}: import section not read to its end`);
const body = Buffer.concat(parts);
const out = Buffer.concat([
  wasm.subarray(0, imports.start),
  Buffer.from([2]),
  leb(body.length),
  body,
  wasm.subarray(imports.end),
]);

// The glue names each import once, as the key of its function; a name it lacks would
// leave the wasm unable to instantiate, so that fails the build here.
for (const [from, to] of renamed) {
  const parts = js.split(from);
  if (parts.length !== 2) throw new Error(`${jsPath}: ${from} appears ${parts.length - 1} times`);
  js = parts.join(to);
}
writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
console.log(`${wasmPath}: ${renamed.size} import names shortened, ${wasm.length - out.length} bytes`);
