// UdpSocket on Deno: Deno.listenDatagram (needs --unstable-net). IPv4 and IPv6. The receive loop
// starts when the driver subscribes, so datagrams wait in the kernel until then.
import type { Address } from "../../ts/engine/types.ts";
import type { UdpSocket } from "../../ts/io/types.ts";

// Just the Deno API this file uses (the Deno namespace's types are not needed to read ts/).
interface NetAddr { transport: "udp"; hostname: string; port: number }
interface DatagramConn { readonly addr: NetAddr; receive(): Promise<[Uint8Array, NetAddr]>; send(p: Uint8Array, to: NetAddr): Promise<number>; close(): void }
declare const Deno: { listenDatagram(o: { transport: "udp"; hostname: string; port: number }): DatagramConn };

export function openUdp(addr: Address): Promise<UdpSocket> {
  let conn: DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: addr.ip, port: addr.port });
  } catch (e) {
    return Promise.reject(e);
  }
  let closed = false;
  let onError: (e: Error) => void = () => {};
  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  return Promise.resolve({
    local: { ip: conn.addr.hostname, port: conn.addr.port },
    send(data, to) {
      conn.send(data, { transport: "udp", hostname: to.ip, port: to.port }).catch((e) => { if (!closed) onError(asError(e)); });
    },
    onMessage(handler) {
      (async () => {
        while (!closed) {
          try {
            const [data, from] = await conn.receive();
            handler(data, { ip: from.hostname, port: from.port });
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
