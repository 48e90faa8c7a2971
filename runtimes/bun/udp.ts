// UdpSocket on Bun: Bun.udpSocket. send() returns false when the socket buffer is full: datagrams
// then wait in a bounded queue, in order, and go out on `drain`. IPv4 and IPv6.
import type { Address } from "../../ts/engine/types.ts";
import type { UdpSocket } from "../../ts/io/types.ts";

// Just the Bun API this file uses.
interface BunUdp { readonly port: number; send(data: Uint8Array, port: number, address: string): boolean; close(): void }
interface BunUdpHandlers {
  data(s: BunUdp, buf: Uint8Array, port: number, address: string): void;
  drain(s: BunUdp): void;
  error(s: BunUdp, err?: Error): void;
}
declare const Bun: { udpSocket(o: { hostname: string; port: number; binaryType: "uint8array"; socket: BunUdpHandlers }): Promise<BunUdp> };

/** Datagrams held while the socket buffer is full; beyond this they are dropped (IKE retransmits). */
const MAX_QUEUED = 1024;

export async function openUdp(addr: Address): Promise<UdpSocket> {
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
  let closed = false;
  return {
    local: { ip: addr.ip, port: sock.port },
    send(data, to) {
      if (closed) return;
      if (queue.length === 0 && trySend(sock, data, to)) return;
      if (queue.length >= MAX_QUEUED) { onError(new Error(`send queue full (${MAX_QUEUED} datagrams): dropped one to ${to.ip}:${to.port}`)); return; }
      queue.push([data, to]);
    },
    onMessage(h) {
      handler = h;
      for (const [d, f] of early.splice(0)) h(d, f);
    },
    onError(h) { onError = h; },
    async close() { if (!closed) { closed = true; queue.length = 0; sock.close(); } },
  };
}
