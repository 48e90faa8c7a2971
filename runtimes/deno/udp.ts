// UdpSocket on Deno: Deno.listenDatagram (needs --unstable-net). IPv4 and IPv6. The receive loop
// starts when the driver subscribes, so datagrams wait in the kernel until then.
import type { Address } from "../../ts/engine/types.ts";
import type { UdpOptions, UdpSocket } from "../../ts/io/types.ts";
import { findUdpFds, setBuffers, type SockOpt } from "../shared/sockbuf.ts";

// Just the Deno API this file uses (the Deno namespace's types are not needed to read ts/).
interface NetAddr { transport: "udp"; hostname: string; port: number }
interface DatagramConn { readonly addr: NetAddr; receive(p?: Uint8Array): Promise<[Uint8Array, NetAddr]>; send(p: Uint8Array, to: NetAddr): Promise<number>; close(): void }
type Sym = { parameters: string[]; result: string };
declare const Deno: {
  listenDatagram(o: { transport: "udp"; hostname: string; port: number }): DatagramConn;
  dlopen(path: string, syms: Record<string, Sym>): { symbols: Record<string, (...a: unknown[]) => any> };
  UnsafePointerView: new (p: unknown) => { getInt32(): number };
};

let sockopt: SockOpt | undefined;
/** setsockopt/getsockopt through Deno.dlopen (--allow-ffi); Deno's datagram sockets have no buffer options. */
function bindSockopt(): SockOpt {
  const s = Deno.dlopen("libc.so.6", {
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
    __errno_location: { parameters: [], result: "pointer" },
  }).symbols;
  const errno = () => new Deno.UnsafePointerView(s.__errno_location()).getInt32();
  return {
    setInt: (fd, level, name, value) => (s.setsockopt(fd, level, name, Int32Array.of(value), 4) === 0 ? 0 : -errno()),
    getInt: (fd, level, name) => { const v = new Int32Array(1), len = Uint32Array.of(4); return s.getsockopt(fd, level, name, v, len) === 0 ? v[0] : -errno(); },
  };
}

export function openUdp(addr: Address, opts: UdpOptions = {}): Promise<UdpSocket> {
  let conn: DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: addr.ip, port: addr.port });
  } catch (e) {
    return Promise.reject(e);
  }
  let buffers: { recv: number; send: number } | undefined;
  if (opts.bufferBytes) {
    // The socket's descriptor is not exposed: find it by its port in /proc (best effort).
    try {
      for (const fd of findUdpFds(conn.addr.port)) buffers = setBuffers(sockopt ??= bindSockopt(), fd, opts.bufferBytes) ?? buffers;
    } catch { /* no FFI or no /proc: the defaults stay */ }
  }
  let closed = false;
  let onError: (e: Error) => void = () => {};
  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  return Promise.resolve({
    local: { ip: conn.addr.hostname, port: conn.addr.port },
    buffers,
    send(data, to) {
      conn.send(data, { transport: "udp", hostname: to.ip, port: to.port }).catch((e) => { if (!closed) onError(asError(e)); });
    },
    onMessage(handler) {
      (async () => {
        // One receive buffer for the socket's life: without one, Deno allocates and zeroes 64 KiB per
        // datagram (a tenth of the data plane's time in a profile). Each datagram is then copied out at
        // its own size, since the engine may keep what it receives.
        const buf = new Uint8Array(65536);
        while (!closed) {
          try {
            const [view, from] = await conn.receive(buf);
            handler(view.slice(), { ip: from.hostname, port: from.port });
          } catch (e) {
            if (closed || (e instanceof Error && /BadResource|Interrupted|closed/i.test(e.name + e.message))) return;
            onError(asError(e));
          }
        }
      })();
    },
    onError(h) { onError = h; },
    async close() { if (!closed) { closed = true; conn.close(); } },
  });
}
