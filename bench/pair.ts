// In-process endpoint pair for the handshake and scale benchmarks: initiator a and responder b in one
// runtime, datagrams passed by hand (no sockets, no clock: `now` is given).
import { Endpoint } from "../ts/engine/endpoint.ts";
import { resolveConfig } from "../ts/engine/config.ts";
import type { Datagram, Output } from "../ts/engine/types.ts";
import type { CryptoProvider } from "../ts/crypto/types.ts";

function conn(name: string, local: string, remote: string, initiator: boolean, proposal: string, esp: string) {
  return {
    name, local: { id: `${name}.example`, address: local }, remote: initiator ? { id: "%any", address: remote } : { id: "%any" }, psk: "bench psk",
    ike: { proposals: proposal, rekeyTime: 0, dpdDelay: 0 }, children: [{ name: "net", esp, localTs: ["10.0.0.0/8"], remoteTs: ["10.0.0.0/8"], rekeyTime: 0 }],
    // Every handshake comes from the same identity: without this, INITIAL_CONTACT would replace the previous SA.
    initialContact: false,
  };
}

/** A new initiator endpoint for the pair's connection (its SPIs come from `provider`'s random). */
export function initiator(proposal: string, esp: string, provider: CryptoProvider): Endpoint {
  return new Endpoint({ config: resolveConfig({ connections: [conn("a", "198.18.0.1", "198.18.0.2", true, proposal, esp)], cookieThreshold: 1e9 }), crypto: provider, now: 0 });
}

export function responder(proposal: string, esp: string, provider: CryptoProvider): Endpoint {
  return new Endpoint({ config: resolveConfig({ connections: [conn("b", "198.18.0.2", "198.18.0.1", false, proposal, esp)], cookieThreshold: 1e9, halfOpenTimeout: 30 }), crypto: provider, now: 0 });
}

export function pair(proposal: string, esp: string, provider: CryptoProvider): { a: Endpoint; b: Endpoint } {
  return { a: initiator(proposal, esp, provider), b: responder(proposal, esp, provider) };
}

/** Passes `first` (a's output) and everything it causes between a and b; returns the child-up events seen. */
export function exchange(a: Endpoint, b: Endpoint, first: Output, now: number): number {
  let q: { to: Endpoint; dg: Datagram }[] = [];
  let up = 0;
  const feed = (from: Endpoint, out: Output) => {
    for (const e of out.events) if (e.type === "child-up") up++;
    for (const dg of out.datagrams) q.push({ to: from === a ? b : a, dg: { local: dg.remote, remote: dg.local, data: dg.data } });
  };
  feed(a, first);
  for (let guard = 0; q.length && guard < 20; guard++) {
    const cur = q; q = [];
    for (const m of cur) feed(m.to, m.to.receive(m.dg, now));
  }
  return up;
}

/** Runs one handshake (IKE_SA_INIT + IKE_AUTH with one Child SA) to completion; the initiator's IKE SA id, or -1. */
export function handshakeId(a: Endpoint, b: Endpoint, now: number): number {
  const out = a.initiate(a.config.connections[0].name, now);
  return exchange(a, b, out, now) === 2 ? out.ikeId : -1;
}

/** Runs one handshake to completion; whether a child came up on both sides. */
export function handshake(a: Endpoint, b: Endpoint, now: number): boolean {
  return handshakeId(a, b, now) >= 0;
}

declare const Bun: { gc(force: boolean): void } | undefined;
/** Forces a full collection where the runtime allows it (node/deno with --expose-gc, Bun.gc). */
export function gc(): boolean {
  const g = (globalThis as any).gc;
  if (typeof g === "function") { g(); g(); return true; }
  if (typeof Bun !== "undefined") { Bun.gc(true); Bun.gc(true); return true; }
  return false;
}
export function heapUsed(): number { return (globalThis as any).process?.memoryUsage?.().heapUsed ?? 0; }
export function rss(): number { return (globalThis as any).process?.memoryUsage?.().rss ?? 0; }
