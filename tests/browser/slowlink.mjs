// A slow mobile link in front of the café server: a TCP proxy that carries everything the
// phone sends and receives (HTTP and the WebSocket alike) through one shaped link.
//
// Each direction is one shared queue, like the radio link of a phone: a chunk leaves when
// the link is free and its bytes have been clocked out at `kbps`, and arrives RTT/2 later.
// All connections share the queue, so the wasm download and the WebSocket compete the way
// they do on a real phone; each connection keeps at most a TCP-like window on it (slow
// start from 10 packets), so a small file asked for beside a big one is not stuck behind
// all of it. A new connection pays one RTT for the TCP handshake before its
// first byte may leave. `setOffline(true)` is the phone losing its signal: every open
// connection is cut and new ones are refused until `setOffline(false)`.
//
// Counters: bytes down (server → phone) and up, in total and per connection kind (`ws` for
// connections whose first request is `GET /ws`, `http` for the rest).
//
// Module: `startSlowLink({ target: 'http://127.0.0.1:8080', rttMs: 400, kbps: 400 })`.
// Command line: `node tests/browser/slowlink.mjs --target http://127.0.0.1:8080 --rtt 400
// --kbps 400 [--port 0]` prints `listening on 127.0.0.1:PORT`.
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** Bytes a chunk may carry before the link interleaves other connections (one IP packet). */
const MTU = 1460;
/** The most a connection keeps on the link unacknowledged (a TCP window; 3G's
 * bandwidth-delay product is 20 KB). */
const MAX_WINDOW = 64 * 1024;

class Link {
  constructor(kbps, oneWayMs) {
    this.bytesPerMs = (kbps * 1000) / 8 / 1000;
    this.oneWayMs = oneWayMs;
    this.freeAt = 0;
  }

  /** Schedules `deliver` for when `bytes` sent no earlier than `notBefore` arrive. */
  send(bytes, notBefore, deliver) {
    const start = Math.max(performance.now(), this.freeAt, notBefore);
    this.freeAt = start + bytes / this.bytesPerMs;
    const at = this.freeAt + this.oneWayMs;
    setTimeout(deliver, Math.max(0, at - performance.now()));
  }
}

export async function startSlowLink({ target, rttMs, kbps, port = 0, host = '127.0.0.1' }) {
  const t = new URL(target);
  const down = new Link(kbps, rttMs / 2);
  const up = new Link(kbps, rttMs / 2);
  const stats = { down: 0, up: 0, http: { down: 0, up: 0 }, ws: { down: 0, up: 0 }, connections: 0 };
  const open = new Set();
  let offline = false;

  const server = net.createServer((client) => {
    if (offline) {
      client.destroy();
      return;
    }
    stats.connections += 1;
    // The handshake (SYN, SYN-ACK) costs a round trip before the first request byte leaves.
    const ready = performance.now() + rttMs;
    const upstream = net.connect({ host: t.hostname, port: Number(t.port) });
    const conn = { client, upstream, kind: null, cut: false };
    open.add(conn);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const count = (dir, n) => {
      stats[dir] += n;
      if (conn.kind) stats[conn.kind][dir] += n;
    };
    // Each connection sends like TCP: at most a congestion window of bytes on the link at
    // once (slow start from 10 packets, growing by what is acknowledged, up to MAX_WINDOW),
    // the rest waits at the sender. Without it the server would pour a whole file into the
    // shared queue at once and a small stylesheet asked for a moment later would wait behind
    // all of the WebAssembly, which no real link does. Chunks keep their order: the link
    // hands them out in sending order and the delay is the same for all.
    const carry = (from, to, link, dir, notBefore) => {
      const pending = [];
      let inflight = 0;
      let window = 10 * MTU;
      let ended = false;
      const pump = () => {
        while (pending.length && inflight + pending[0].length <= window) {
          const piece = pending.shift();
          inflight += piece.length;
          link.send(piece.length, notBefore(), () => {
            if (conn.cut || to.destroyed) return;
            count(dir, piece.length);
            to.write(piece);
            // The acknowledgement takes the way back.
            setTimeout(() => {
              inflight -= piece.length;
              window = Math.min(MAX_WINDOW, window + piece.length);
              pump();
            }, link.oneWayMs);
          });
        }
        if (ended && !pending.length && inflight === 0 && !conn.cut) to.end();
      };
      from.on('data', (buf) => {
        if (conn.kind === null && dir === 'up') {
          conn.kind = buf.subarray(0, 8).toString('latin1').startsWith('GET /ws') ? 'ws' : 'http';
        }
        for (let i = 0; i < buf.length; i += MTU) pending.push(buf.subarray(i, i + MTU));
        pump();
      });
      from.on('end', () => { ended = true; pump(); });
    };
    carry(client, upstream, up, 'up', () => ready);
    carry(upstream, client, down, 'down', () => 0);
    const close = () => {
      open.delete(conn);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => link_close());
    upstream.on('close', () => link_close());
    // A side that closes closes the other once what it sent has crossed the link.
    function link_close() {
      down.send(0, 0, close);
    }
  });
  await new Promise((ok) => server.listen(port, host, ok));
  const addr = server.address();
  return {
    url: `http://${host}:${addr.port}`,
    stats,
    /** Copies the counters (to subtract later). */
    snapshot: () => JSON.parse(JSON.stringify(stats)),
    setOffline(value) {
      offline = value;
      if (value) {
        for (const c of open) {
          c.cut = true;
          c.client.destroy();
          c.upstream.destroy();
        }
        open.clear();
      }
    },
    close: () =>
      new Promise((ok) => {
        for (const c of open) {
          c.client.destroy();
          c.upstream.destroy();
        }
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const link = await startSlowLink({
    target: arg('target', 'http://127.0.0.1:8080'),
    rttMs: Number(arg('rtt', 400)),
    kbps: Number(arg('kbps', 400)),
    port: Number(arg('port', 0)),
  });
  console.log(`listening on ${link.url.replace('http://', '')}`);
}
