// The TUN device over a handful of libc calls, shared by the three runtimes' FFI bindings
// (runtimes/<rt>/tun.ts), and configureTun, which sets addresses, MTU and routes with `ip`.
// The fd is non-blocking: the read loop drains up to READ_BATCH packets, then waits in poll() on
// the fd and an eventfd off the JS thread; close() writes the eventfd, which ends that wait.
import { execFile } from "node:child_process";
import { setImmediate } from "node:timers";
import {
  checkMtu, checkWrite, EAGAIN, EFD_CLOEXEC, EFD_NONBLOCK, EINTR, IFF_NO_PI, IFF_TUN, ifreq, ifreqName,
  O_CLOEXEC, O_NONBLOCK, O_RDWR, pollfds, READ_BATCH, TUNSETIFF, TunError, type TunDevice, type TunOptions,
} from "../../ts/io/tun.ts";

/** The libc calls a runtime binds. Each returns -errno on failure. */
export interface Libc {
  open(path: string, flags: number): number;
  ioctl(fd: number, req: number, arg: Uint8Array): number;
  eventfd(flags: number): number;
  read(fd: number, buf: Uint8Array): number;
  write(fd: number, buf: Uint8Array): number;
  close(fd: number): void;
  /** Resolves once one of the two pollfds is readable, without blocking the event loop. */
  wait(pfds: Uint8Array): Promise<void>;
}

export function openTunWith(sys: Libc, opts: TunOptions = {}): TunDevice {
  const mtu = checkMtu(opts.mtu);
  const req = ifreq(opts.name, IFF_TUN | IFF_NO_PI);
  const fd = sys.open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw new TunError("open", `open /dev/net/tun: errno ${-fd}${-fd === 2 ? " (no /dev/net/tun)" : -fd === 1 || -fd === 13 ? " (needs root or CAP_NET_ADMIN)" : ""}`, -fd);
  const r = sys.ioctl(fd, TUNSETIFF, req);
  if (r < 0) { sys.close(fd); throw new TunError("open", `ioctl TUNSETIFF ${opts.name ?? ""}: errno ${-r}${-r === 1 ? " (needs CAP_NET_ADMIN)" : -r === 16 ? " (name in use)" : ""}`, -r); }
  const wake = sys.eventfd(EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) { sys.close(fd); throw new TunError("open", `eventfd: errno ${-wake}`, -wake); }
  const pfds = pollfds(fd, wake);
  const name = ifreqName(req);
  const buf = new Uint8Array(65536);
  let closed = false, loop: Promise<void> | undefined;
  let onError: (e: Error) => void = () => {};

  const run = async (handler: (pkt: Uint8Array) => void) => {
    while (!closed) {
      let empty = false;
      for (let i = 0; i < READ_BATCH && !closed; i++) {
        const n = sys.read(fd, buf);
        if (n > 0) { try { handler(buf.slice(0, n)); } catch (e) { onError(e instanceof Error ? e : new Error(String(e))); } continue; }
        if (n === -EINTR) continue;
        if (n !== -EAGAIN) { onError(new TunError("io", `read ${name}: errno ${-n}`, -n)); return; }
        empty = true;
        break;
      }
      if (closed) break;
      // Drained: wait in poll() off the JS thread. A full batch: more is queued, so only let the
      // event loop run (sockets, timers, the sends this batch queued) and read on, without the
      // poll() round trip.
      if (empty) await sys.wait(pfds);
      else await new Promise<void>((r) => setImmediate(r));
    }
  };
  return {
    name,
    mtu,
    onPacket(handler) {
      if (loop) throw new Error("onPacket: a handler is already set");
      loop = run(handler).catch((e) => onError(e instanceof Error ? e : new Error(String(e))));
    },
    onError(h) { onError = h; },
    write(pkt) {
      checkWrite(pkt, mtu, closed);
      const n = sys.write(fd, pkt);
      if (n < 0) onError(new TunError("io", `write ${name}: errno ${-n}`, -n));
    },
    async close() {
      if (closed) return;
      closed = true;
      sys.write(wake, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
      await loop;
      sys.close(fd);
      sys.close(wake);
    },
  };
}

export interface TunConfig {
  /** CIDR addresses for the device, e.g. "198.18.0.1/30", "fd00:1::1/64". */
  addresses?: string[];
  mtu?: number;
  /** Destinations (CIDR) routed into the device. */
  routes?: string[];
}

/** Brings the link up with `ip`: MTU, addresses, then routes. Rejects with ip's message on failure. */
export async function configureTun(name: string, cfg: TunConfig): Promise<void> {
  const v6 = (a: string) => a.includes(":");
  // No IPv6 link-local address: the kernel would otherwise send router and multicast listener
  // solicitations into the tunnel, which no selector covers (dropped and counted as no-policy).
  await ip(["link", "set", "dev", name, "addrgenmode", "none"]).catch(() => {});
  await ip(["link", "set", "dev", name, ...(cfg.mtu ? ["mtu", String(cfg.mtu)] : []), "up"]);
  for (const a of cfg.addresses ?? []) await ip([...(v6(a) ? ["-6"] : []), "addr", "add", a, "dev", name, ...(v6(a) ? ["nodad"] : [])]);
  for (const r of cfg.routes ?? []) await ip([...(v6(r) ? ["-6"] : []), "route", "replace", r, "dev", name]);
}

/** Adds (replacing any route to the same prefix) or removes a route into the device. */
export function routeTun(name: string, op: "add" | "del", cidr: string): Promise<void> {
  const v6 = cidr.includes(":") ? ["-6"] : [];
  return ip([...v6, "route", op === "add" ? "replace" : "del", cidr, "dev", name]);
}

function ip(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("ip", args, (err, _out, stderr) => (err ? reject(new Error(`ip ${args.join(" ")}: ${String(stderr).trim() || err.message}`)) : resolve()));
  });
}
