// A Child SA as the data plane holds it: both ESP directions built from the keys the engine hands out
// (ChildSaKeys in ts/engine/types.ts) and the negotiated traffic selectors, which decide which packets
// it carries out (RFC 4301 §5.1) and which decapsulated packets it may deliver (§5.2).
import type { CryptoProvider } from "../crypto/types.ts";
import type { ChildSaKeys } from "../engine/types.ts";
import { parseSelector, type TrafficSelector } from "../engine/selectors.ts";
import { resolveEspTransforms } from "./esp.ts";
import type { PacketInfo } from "./packet.ts";
import { InboundSa, OutboundSa, type EspLifetime } from "./sa.ts";

/** Our side's and the peer's selectors, as negotiated (TSi/TSr seen from this host). */
export interface ChildSelectors { local: TrafficSelector[]; remote: TrafficSelector[] }

/** Parses the selector text the engine reports (ChildSaInfo.ts: "10.1.0.0/16", "fd00::/64[tcp/443]"). */
export function selectorsFromText(ts: { local: string[]; remote: string[] }): ChildSelectors {
  return { local: ts.local.map((t) => parseSelector(t)), remote: ts.remote.map((t) => parseSelector(t)) };
}

export interface ChildSaOptions {
  /** The engine's Child SA id (ChildSaInfo.id); the data plane's name for it. */
  id: number;
  selectors: ChildSelectors;
  lifetime?: EspLifetime;
  /** Lifetimes for the inbound half, when different (default: `lifetime`). */
  inboundLifetime?: EspLifetime;
  replayWindow?: number;
  /** Last outbound sequence number used (tests); default 0. */
  initialSeq?: number;
  /** Highest inbound sequence number already seen (tests); default 0. */
  initialTop?: number;
}

/** Both halves of one Child SA plus its selectors. */
export class EspChildSa {
  readonly id: number;
  readonly inbound: InboundSa;
  readonly outbound: OutboundSa;
  readonly selectors: ChildSelectors;

  constructor(id: number, inbound: InboundSa, outbound: OutboundSa, selectors: ChildSelectors) {
    this.id = id; this.inbound = inbound; this.outbound = outbound; this.selectors = selectors;
  }

  /** RFC 4301 §5.1: a packet from the protected side goes out on this SA when src ∈ local and dst ∈ remote. */
  coversOutbound(p: PacketInfo): boolean {
    return anyPair(this.selectors.local, this.selectors.remote, p, p.srcAt, p.srcPort, p.dstAt, p.dstPort);
  }

  /** RFC 4301 §5.2: a decapsulated packet must come from the peer's selectors to ours. */
  coversInbound(p: PacketInfo): boolean {
    return anyPair(this.selectors.remote, this.selectors.local, p, p.srcAt, p.srcPort, p.dstAt, p.dstPort);
  }

  dispose(): void { this.inbound.dispose(); this.outbound.dispose(); }
}

/**
 * Builds a Child SA's ESP halves from the engine's keys. For AES-GCM the engine's encrKeyIn/Out already
 * hold key || 4-byte salt (ts/crypto/keymat.ts takes encr.keyMaterialLen bytes, RFC 4106 §8.1).
 */
export function createChildSa(p: CryptoProvider, keys: ChildSaKeys, o: ChildSaOptions): EspChildSa {
  const { encr, integ } = resolveEspTransforms(p, keys.encr.id, keys.encr.keyBits, keys.integ);
  const inbound = new InboundSa({
    spi: keys.spiIn, esn: keys.esn, replayWindow: o.replayWindow, initialTop: o.initialTop, lifetime: o.inboundLifetime ?? o.lifetime,
    keys: integ ? { encr, encrKey: keys.encrKeyIn, integ, integKey: keys.integKeyIn } : { encr, encrKey: keys.encrKeyIn },
  });
  const outbound = new OutboundSa({
    spi: keys.spiOut, esn: keys.esn, lifetime: o.lifetime, initialSeq: o.initialSeq, random: (b) => p.randomInto(b),
    keys: integ ? { encr, encrKey: keys.encrKeyOut, integ, integKey: keys.integKeyOut } : { encr, encrKey: keys.encrKeyOut },
  });
  return new EspChildSa(o.id, inbound, outbound, o.selectors);
}

const ALL_PORTS = (ts: TrafficSelector) => ts.startPort === 0 && ts.endPort === 65535;

function inRange(ts: TrafficSelector, b: Uint8Array, at: number, len: number): boolean {
  if (len !== ts.startAddress.length) return false;
  const s = ts.startAddress, e = ts.endAddress;
  // Lexicographic compare of b[at..at+len) against both bounds without allocating.
  let i = 0;
  while (i < len && b[at + i] === s[i]) i++;
  if (i < len && b[at + i] < s[i]) return false;
  i = 0;
  while (i < len && b[at + i] === e[i]) i++;
  return !(i < len && b[at + i] > e[i]);
}

function portOk(ts: TrafficSelector, port: number | undefined): boolean {
  if (ALL_PORTS(ts)) return true;
  // A packet without port information (a non-first fragment, RFC 4301 §4.4.1.1 OPAQUE) only matches "any port".
  return port !== undefined && port >= ts.startPort && port <= ts.endPort;
}

function one(ts: TrafficSelector, p: PacketInfo, at: number, port: number | undefined): boolean {
  if (!inRange(ts, p.packet, at, p.addrLen)) return false;
  if (ts.ipProtocolId !== 0 && ts.ipProtocolId !== p.protocol) return false;
  return portOk(ts, port);
}

function anyPair(srcSide: TrafficSelector[], dstSide: TrafficSelector[], p: PacketInfo, src: number, sp: number | undefined, dst: number, dp: number | undefined): boolean {
  let srcOk = false;
  for (const s of srcSide) if (one(s, p, src, sp)) { srcOk = true; break; }
  if (!srcOk) return false;
  for (const d of dstSide) if (one(d, p, dst, dp)) return true;
  return false;
}
