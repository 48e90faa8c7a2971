// UdpSocket on Node: node:dgram, one socket per address family (udp6 with ipv6Only, so "::" and
// "0.0.0.0" can both be bound on one port). Datagrams that arrive before the driver subscribes wait.
import { createSocket } from "node:dgram";
import type { Address } from "../../ts/engine/types.ts";
import type { UdpOptions, UdpSocket } from "../../ts/io/types.ts";

export async function openUdp(addr: Address, opts: UdpOptions = {}): Promise<UdpSocket> {
  const v6 = addr.ip.includes(":");
  const sock = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: v6 });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind({ address: addr.ip, port: addr.port, exclusive: true }, () => { sock.off("error", reject); resolve(); });
  });
  let handler: ((data: Uint8Array, from: Address) => void) | undefined;
  let onError: (e: Error) => void = () => {};
  const early: [Uint8Array, Address][] = [];
  sock.on("message", (buf: Uint8Array, rinfo: { address: string; port: number }) => {
    const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const from = { ip: rinfo.address, port: rinfo.port };
    if (handler) handler(data, from); else early.push([data, from]);
  });
  sock.on("error", (e: Error) => onError(e));
  let closed = false;
  const bound = sock.address();
  let buffers: { recv: number; send: number } | undefined;
  if (opts.bufferBytes) {
    // SO_RCVBUF/SO_SNDBUF, within net.core.rmem_max/wmem_max.
    try {
      sock.setRecvBufferSize(opts.bufferBytes);
      sock.setSendBufferSize(opts.bufferBytes);
      buffers = { recv: sock.getRecvBufferSize(), send: sock.getSendBufferSize() };
    } catch { /* best effort: the defaults stay */ }
  }
  return {
    local: { ip: bound.address, port: bound.port },
    buffers,
    send(data, to) {
      if (!closed) sock.send(data, to.port, to.ip, (err: Error | null) => { if (err && !closed) onError(err); });
    },
    onMessage(h) {
      handler = h;
      for (const [d, f] of early.splice(0)) h(d, f);
    },
    onError(h) { onError = h; },
    close: () => new Promise<void>((resolve) => { if (closed) return resolve(); closed = true; sock.close(() => resolve()); }),
  };
}
