// Bigger kernel buffers for the data plane's UDP socket (Linux). ESP arrives in bursts (a TUN read
// batch on the peer becomes one sendmmsg); with the default 208 KiB receive buffer the kernel drops
// what our one JS thread has not read yet, IKE messages on the same port included. The runtimes do not
// expose SO_RCVBUF (Node does: runtimes/node/udp.ts uses setRecvBufferSize), so this sets it with
// libc's setsockopt on the socket's descriptor: Bun gives the descriptor, for Deno it is found through
// /proc (the socket whose inode /proc/self/net/udp lists for the bound port).
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
/** Like SO_RCVBUF/SO_SNDBUF, but past net.core.rmem_max/wmem_max: needs CAP_NET_ADMIN (a TUN owner has it). */
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;

export interface SockOpt {
  /** setsockopt(fd, level, name, &int, 4): 0 or -errno. */
  setInt(fd: number, level: number, name: number, value: number): number;
  /** getsockopt(fd, level, name, &int, &len): the value, or -errno. */
  getInt(fd: number, level: number, name: number): number;
}

/**
 * Asks for `bytes` of receive and send buffer (FORCE first, then within the sysctl limits); returns
 * what the kernel granted (Linux reports double the asked value, for its bookkeeping) or undefined.
 */
export function setBuffers(so: SockOpt, fd: number, bytes: number): { recv: number; send: number } | undefined {
  for (const [force, plain] of [[SO_RCVBUFFORCE, SO_RCVBUF], [SO_SNDBUFFORCE, SO_SNDBUF]]) {
    if (so.setInt(fd, SOL_SOCKET, force, bytes) !== 0) so.setInt(fd, SOL_SOCKET, plain, bytes);
  }
  const recv = so.getInt(fd, SOL_SOCKET, SO_RCVBUF), send = so.getInt(fd, SOL_SOCKET, SO_SNDBUF);
  return recv > 0 && send > 0 ? { recv, send } : undefined;
}

/** The descriptors of this process's UDP sockets bound to `port` (IPv4 and IPv6), via /proc. */
export function findUdpFds(port: number): number[] {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/self/net/udp", "/proc/self/net/udp6"]) {
    let text: string;
    try { text = readFileSync(table, "utf8"); } catch { continue; }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${hexPort}`)) inodes.add(f[9]);
    }
  }
  const fds: number[] = [];
  if (inodes.size === 0) return fds;
  for (const name of readdirSync("/proc/self/fd")) {
    let link: string;
    try { link = readlinkSync(`/proc/self/fd/${name}`); } catch { continue; }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && inodes.has(m[1])) fds.push(Number(name));
  }
  return fds;
}
