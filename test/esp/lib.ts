// Shared setup for test/esp/*.test.ts: the three providers, inner IPv4/IPv6 packets with real headers,
// and matching Child SA key sets for two peers (A's outbound keys are B's inbound keys).
import { createJsProvider, createNativeProvider, createWasmProvider, seededRandom } from "../../ts/crypto/index.ts";
import type { CryptoProvider } from "../../ts/crypto/types.ts";
import type { ChildSaKeys } from "../../ts/engine/types.ts";
import { parseIp } from "../../ts/util/ip.ts";
import { parseSelector } from "../../ts/engine/selectors.ts";
import { createChildSa, type ChildSaOptions, type EspChildSa } from "../../ts/esp/index.ts";

export interface Subject { label: string; p: CryptoProvider }

/** wasm, native and js, each on its own seeded random source (so each run is the same). */
export function providers(): Subject[] {
  return [
    { label: "wasm", p: createWasmProvider({ random: seededRandom(11) }) },
    { label: "native", p: createNativeProvider({ random: seededRandom(12) }) },
    { label: "js", p: createJsProvider({ random: seededRandom(13) }) },
  ];
}

/** One ESP suite: ENCR id, key bits, INTEG id (0 with GCM), and a label. */
export interface Suite { name: string; encr: number; bits: number; integ: number }

export const SUITES: Suite[] = [
  ...[128, 192, 256].flatMap((bits) => [
    { name: `aes${bits}gcm8`, encr: 18, bits, integ: 0 },
    { name: `aes${bits}gcm12`, encr: 19, bits, integ: 0 },
    { name: `aes${bits}gcm16`, encr: 20, bits, integ: 0 },
    { name: `aes${bits}-sha1`, encr: 12, bits, integ: 2 },
    { name: `aes${bits}-sha256`, encr: 12, bits, integ: 12 },
    { name: `aes${bits}-sha384`, encr: 12, bits, integ: 13 },
    { name: `aes${bits}-sha512`, encr: 12, bits, integ: 14 },
  ]),
];

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff; }
  return out;
}

/** Key sets for peers A and B of one Child SA with `suite` (the layout ts/engine/endpoint.ts emits). */
export function keyPair(p: CryptoProvider, suite: Suite, o: { esn?: boolean; spiA?: number; spiB?: number; seed?: number } = {}): { a: ChildSaKeys; b: ChildSaKeys } {
  const e = p.encr(suite.encr, suite.bits);
  const integLen = suite.integ ? p.integ(suite.integ).keyLen : 0;
  const seed = o.seed ?? 1;
  const eAB = bytes(e.keyMaterialLen, seed * 4 + 1), eBA = bytes(e.keyMaterialLen, seed * 4 + 2);
  const iAB = bytes(integLen, seed * 4 + 3), iBA = bytes(integLen, seed * 4 + 4);
  const spiA = o.spiA ?? 0xc0010001, spiB = o.spiB ?? 0xc0020002;
  const common = { encr: { id: suite.encr, keyBits: suite.bits }, integ: suite.integ, esn: o.esn ?? false };
  return {
    a: { ...common, spiIn: spiA, spiOut: spiB, encrKeyIn: eBA, integKeyIn: iBA, encrKeyOut: eAB, integKeyOut: iAB },
    b: { ...common, spiIn: spiB, spiOut: spiA, encrKeyIn: eAB, integKeyIn: iAB, encrKeyOut: eBA, integKeyOut: iBA },
  };
}

export const NET_A = "10.1.0.0/16", NET_B = "10.2.0.0/16", NET6_A = "fd00:a::/64", NET6_B = "fd00:b::/64";

/** Two Child SAs (A's and B's view) carrying NET_A/NET6_A <-> NET_B/NET6_B. */
export function childPair(p: CryptoProvider, suite: Suite, o: { esn?: boolean; spiA?: number; spiB?: number; seed?: number; id?: number; opts?: Partial<ChildSaOptions>; local?: string[]; remote?: string[] } = {}): { a: EspChildSa; b: EspChildSa } {
  const k = keyPair(p, suite, o);
  const la = (o.local ?? [NET_A, NET6_A]).map((t) => parseSelector(t)), lb = (o.remote ?? [NET_B, NET6_B]).map((t) => parseSelector(t));
  return {
    a: createChildSa(p, k.a, { id: o.id ?? 1, selectors: { local: la, remote: lb }, ...o.opts }),
    b: createChildSa(p, k.b, { id: o.id ?? 1, selectors: { local: lb, remote: la }, ...o.opts }),
  };
}

function ipChecksum(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[off + i] << 8) | (b[off + i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An IPv4 packet (RFC 791) with a valid header checksum; for UDP/TCP the payload starts with the ports. */
export function ipv4(src: string, dst: string, proto: number, l4: Uint8Array, o: { id?: number; fragOffset?: number } = {}): Uint8Array {
  const b = new Uint8Array(20 + l4.length);
  b[0] = 0x45; b[2] = b.length >> 8; b[3] = b.length & 0xff;
  b[4] = ((o.id ?? 1) >> 8) & 0xff; b[5] = (o.id ?? 1) & 0xff;
  const fo = o.fragOffset ?? 0;
  b[6] = (fo >> 8) & 0x1f; b[7] = fo & 0xff;
  b[8] = 64; b[9] = proto;
  b.set(parseIp(src)!, 12); b.set(parseIp(dst)!, 16);
  const c = ipChecksum(b, 0, 20);
  b[10] = c >> 8; b[11] = c & 0xff;
  b.set(l4, 20);
  return b;
}

/** An IPv6 packet (RFC 8200) with no extension headers unless `ext` is given (already encoded). */
export function ipv6(src: string, dst: string, proto: number, l4: Uint8Array, ext?: { first: number; bytes: Uint8Array }): Uint8Array {
  const e = ext?.bytes ?? new Uint8Array(0);
  const b = new Uint8Array(40 + e.length + l4.length);
  b[0] = 0x60;
  const pl = e.length + l4.length;
  b[4] = pl >> 8; b[5] = pl & 0xff;
  b[6] = ext ? ext.first : proto; b[7] = 64;
  b.set(parseIp(src)!, 8); b.set(parseIp(dst)!, 24);
  b.set(e, 40); b.set(l4, 40 + e.length);
  return b;
}

/** A UDP header + payload (checksum left 0: allowed for IPv4, and nothing here checks it). */
export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  b[0] = sport >> 8; b[1] = sport & 0xff; b[2] = dport >> 8; b[3] = dport & 0xff;
  b[4] = b.length >> 8; b[5] = b.length & 0xff;
  b.set(payload, 8);
  return b;
}

/** A TCP header (20 bytes, SYN) + payload. */
export function tcp(sport: number, dport: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(20 + payload.length);
  b[0] = sport >> 8; b[1] = sport & 0xff; b[2] = dport >> 8; b[3] = dport & 0xff;
  b[12] = 0x50; b[13] = 0x02;
  b.set(payload, 20);
  return b;
}

/** An ICMP echo request (type 8) or ICMPv6 echo request (type 128). */
export function icmpEcho(type: number, payload: Uint8Array = new Uint8Array(8)): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  b[0] = type; b.set(payload, 8);
  return b;
}

export const text = (s: string) => new TextEncoder().encode(s);
export { bytes as pseudoRandomBytes };
