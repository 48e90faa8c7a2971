// UdpSocket on Bun: Bun.udpSocket. Datagrams sent in one turn of the event loop (a burst of ESP from
// one TUN read batch, say) go out together at the end of it with sendMany (one sendmmsg). When the
// socket buffer is full the rest wait in a bounded queue, in order, and go out on `drain`. IPv4 and IPv6.
import type { Address } from "../../ts/engine/types.ts";
import type { UdpOptions, UdpSocket } from "../../ts/io/types.ts";
import { setBuffers, type SockOpt } from "../shared/sockbuf.ts";

// Just the Bun API this file uses.
interface BunUdp { readonly port: number; readonly fd: number; send(data: Uint8Array, port: number, address: string): boolean; sendMany(packets: (Uint8Array | number | string)[]): number; close(): void }
interface BunUdpHandlers {
  data(s: BunUdp, buf: Uint8Array, port: number, address: string): void;
  drain(s: BunUdp): void;
  error(s: BunUdp, err?: Error): void;
}
declare const Bun: { udpSocket(o: { hostname: string; port: number; binaryType: "uint8array"; socket: BunUdpHandlers }): Promise<BunUdp> };

/** Datagrams held while the socket buffer is full; beyond this they are dropped (IKE retransmits). */
const MAX_QUEUED = 1024;

let sockopt: SockOpt | undefined;
/** setsockopt/getsockopt through bun:ffi (Bun.udpSocket has no buffer options, but gives its fd). */
async function bindSockopt(): Promise<SockOpt> {
  const { dlopen, read } = await import("bun:ffi" as string);
  const { symbols: s } = dlopen("libc.so.6", {
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
  const errno = () => read.i32(s.__errno_location()) as number;
  return {
    setInt: (fd, level, name, value) => (s.setsockopt(fd, level, name, Int32Array.of(value), 4) === 0 ? 0 : -errno()),
    getInt: (fd, level, name) => { const v = new Int32Array(1), len = Uint32Array.of(4); return s.getsockopt(fd, level, name, v, len) === 0 ? v[0] : -errno(); },
  };
}

export async function openUdp(addr: Address, opts: UdpOptions = {}): Promise<UdpSocket> {
  let handler: ((data: Uint8Array, from: Address) => void) | undefined;
  let onError: (e: Error) => void = () => {};
  const early: [Uint8Array, Address][] = [];
  const queue: [Uint8Array, Address][] = [];
  const trySend = (s: BunUdp, data: Uint8Array, to: Address): boolean => {
    try {
      return s.send(data, to.port, to.ip);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
      return true; // not a back-pressure signal: the datagram is lost, move on
    }
  };
  const flush = (s: BunUdp) => {
    while (queue.length && trySend(s, queue[0][0], queue[0][1])) queue.shift();
  };
  const sock = await Bun.udpSocket({
    hostname: addr.ip,
    port: addr.port,
    binaryType: "uint8array",
    socket: {
      data(_s, buf, port, address) {
        const from = { ip: address, port };
        const data = buf.slice(); // ours to keep: the engine may hold on to received bytes
        if (handler) handler(data, from); else early.push([data, from]);
      },
      drain: (s) => flush(s),
      // ICMP errors (port unreachable...) land here; some Bun versions pass only the error.
      error: (s, err) => { const e: unknown = err ?? s; onError(e instanceof Error ? e : new Error(String((e as { message?: string })?.message ?? e))); },
    },
  });
  let buffers: { recv: number; send: number } | undefined;
  if (opts.bufferBytes) {
    try { buffers = setBuffers(sockopt ??= await bindSockopt(), sock.fd, opts.bufferBytes); } catch { /* best effort */ }
  }
  let closed = false;
  // Datagrams of the current turn, flattened as sendMany takes them: data, port, address, ...
  let burst: (Uint8Array | number | string)[] = [];
  const enqueue = (data: Uint8Array, to: Address) => {
    if (queue.length >= MAX_QUEUED) { onError(new Error(`send queue full (${MAX_QUEUED} datagrams): dropped one to ${to.ip}:${to.port}`)); return; }
    queue.push([data, to]);
  };
  const sendBurst = () => {
    const b = burst;
    burst = [];
    if (closed || b.length === 0) return;
    let sent: number;
    try {
      sent = b.length === 3 ? (sock.send(b[0] as Uint8Array, b[1] as number, b[2] as string) ? 1 : 0) : sock.sendMany(b);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    for (let i = sent * 3; i < b.length; i += 3) enqueue(b[i] as Uint8Array, { ip: b[i + 2] as string, port: b[i + 1] as number });
  };
  return {
    local: { ip: addr.ip, port: sock.port },
    buffers,
    send(data, to) {
      if (closed) return;
      if (queue.length) { enqueue(data, to); return; }
      if (burst.length === 0) queueMicrotask(sendBurst);
      burst.push(data, to.port, to.ip);
    },
    onMessage(h) {
      handler = h;
      for (const [d, f] of early.splice(0)) h(d, f);
    },
    onError(h) { onError = h; },
    async close() { if (!closed) { sendBurst(); closed = true; queue.length = 0; sock.close(); } },
  };
}
