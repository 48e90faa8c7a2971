// The recorded strongSwan fixtures (test/fixtures/strongswan/<scenario>/, format in its README.md) as
// the keymat, SK and wire tests use them: messages, per-IKE-SA keys, the keys that protect a given
// message, where its SK/SKF payload starts, and the plaintext of a message sent in fragments.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hex, projectRoot } from "../lib/harness.ts";
import { ENCR, INTEG, PRF, type CryptoProvider } from "../../ts/crypto/types.ts";
import { resolveIkeSuite, type IkeSuite } from "../../ts/crypto/keymat.ts";
import type { SkDirectionKeys } from "../../ts/crypto/sk.ts";

export interface FixtureMessage {
  i: number;
  frame: number;
  dir: "i->r" | "r->i";
  src: string;
  dst: string;
  udpPayloadHex: string;
  nonEspMarker: boolean;
  exchange: string;
  response: boolean;
  messageId: number;
  SPIi: string;
  SPIr: string;
  payloads?: unknown[];
  decryptedHex?: string;
  fragment?: { number: number; total: number };
  reassembledFrom?: number[];
}

export interface Algorithms { encr: string; encrKeyBits: number; integ: string | null; prf: string | null; dh: string | null }
export interface DirectionKeys { SPI: string; encrKey: string; integKey: string | null }
export interface ChildSaKeys {
  SPIi: string; SPIr: string; algorithms: Algorithms; Ni: string; Nr: string; "g^ir": string | null; KEYMAT: string;
  initiatorToResponder: DirectionKeys; responderToInitiator: DirectionKeys; rekeyOf?: string;
  createdBy: { exchange: string; request: number; response: number };
}
export interface IkeSaKeys {
  SPIi: string; SPIr: string; algorithms: Algorithms; Ni: string; Nr: string; "g^ir": string; SKEYSEED: string;
  SK_d: string; SK_ai: string | null; SK_ar: string | null; SK_ei: string; SK_er: string; SK_pi: string; SK_pr: string;
  rekeyOf?: { SPIi: string; SPIr: string }; "SK_d(old)"?: string; "prf(old)"?: string;
  createdBy: { exchange: string; request: number; response: number };
  messages: number[];
  childSas: ChildSaKeys[];
}

export interface Fixture {
  name: string;
  dir: string;
  scenario: {
    psk: string;
    initiator: { id: string; address: string; tunnelAddress: string };
    responder: { id: string; address: string; tunnelAddress: string };
    exchanges: unknown[];
  };
  messages: FixtureMessage[];
  ikeSas: IkeSaKeys[];
}

const ROOT = join(projectRoot, "test", "fixtures", "strongswan");
/** The scenarios test/fixtures/strongswan/README.md describes; a missing one fails loudly. */
export const SCENARIOS = ["cbc-modp2048", "cbc-x25519", "fragmented", "gcm-ecp256"] as const;

let cache: Fixture[] | undefined;

/** Every recorded scenario, read once. Throws, naming the folder, when the fixtures are missing. */
export function fixtures(): Fixture[] {
  if (cache) return cache;
  if (!existsSync(ROOT)) throw new Error(`STRONGSWAN FIXTURES MISSING: ${ROOT} does not exist (see test/fixtures/strongswan/README.md)`);
  const found = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, "keys.json"))).sort();
  for (const s of SCENARIOS) if (!found.includes(s)) throw new Error(`STRONGSWAN FIXTURE MISSING: ${join(ROOT, s)}`);
  const json = (d: string, f: string) => JSON.parse(readFileSync(join(ROOT, d, f), "utf8"));
  cache = SCENARIOS.map((name) => ({
    name,
    dir: join(ROOT, name),
    scenario: json(name, "scenario.json"),
    messages: json(name, "messages.json"),
    ikeSas: json(name, "keys.json").ikeSas,
  }));
  return cache;
}

function idOf(registry: Record<string, number>, name: string): number {
  const id = registry[name];
  if (id === undefined) throw new Error(`fixture names algorithm ${name}, which types.ts does not list`);
  return id;
}

/** Transform IDs of an IKE SA's algorithms (keys.json names them as strongSwan logs them). */
export function ikeIds(a: Algorithms, prfName = a.prf): { encr: number; encrKeyBits: number; prf: number; integ?: number } {
  if (!prfName) throw new Error("an IKE SA needs a PRF");
  const ids = { encr: idOf(ENCR, a.encr), encrKeyBits: a.encrKeyBits, prf: idOf(PRF, prfName) };
  return a.integ ? { ...ids, integ: idOf(INTEG, a.integ) } : ids;
}

export function suiteOf(p: CryptoProvider, a: Algorithms): IkeSuite {
  return resolveIkeSuite(p, ikeIds(a));
}

/** The Child SA's ESP transforms resolved against a provider. */
export function childTransforms(p: CryptoProvider, a: Algorithms) {
  return { encr: p.encr(idOf(ENCR, a.encr), a.encrKeyBits), integ: a.integ ? p.integ(idOf(INTEG, a.integ)) : undefined };
}

export function ikeSaOf(f: Fixture, m: FixtureMessage): IkeSaKeys {
  const sa = f.ikeSas.find((s) => s.SPIi === m.SPIi && s.SPIr === m.SPIr);
  if (!sa) throw new Error(`${f.name}: no IKE SA ${m.SPIi}_${m.SPIr} in keys.json for message ${m.i}`);
  return sa;
}

/** The IKE message bytes (non-ESP marker already removed in the fixture). */
export function bytesOf(m: FixtureMessage): Uint8Array {
  return hex(m.udpPayloadHex);
}

/** RFC 7296 §3.1: the Initiator flag says which SK_e/SK_a protect the message (§2.14: SK_ei/SK_ai from the original initiator). */
export function sentByOriginalInitiator(bytes: Uint8Array): boolean {
  return (bytes[19] & 0x08) !== 0;
}

/** SK_e/SK_a of the side that sent `bytes`, for SkSealer/SkOpener. */
export function senderKeys(p: CryptoProvider, sa: IkeSaKeys, bytes: Uint8Array): SkDirectionKeys {
  const suite = suiteOf(p, sa.algorithms);
  const fromI = sentByOriginalInitiator(bytes);
  const encrKey = hex(fromI ? sa.SK_ei : sa.SK_er);
  const integHex = fromI ? sa.SK_ai : sa.SK_ar;
  return suite.integ ? { encr: suite.encr, encrKey, integ: suite.integ, integKey: hex(integHex!) } : { encr: suite.encr, encrKey };
}

/**
 * Where the SK (46) or SKF (53) payload starts, by walking the generic headers (RFC 7296 §3.2) with no
 * help from ts/wire, so the crypto tests stand on their own. Undefined for an unprotected message.
 */
export function findEncrypted(bytes: Uint8Array): { offset: number; type: 46 | 53 } | undefined {
  let next = bytes[16], off = 28;
  while (next !== 0) {
    if (off + 4 > bytes.length) throw new Error(`payload ${next} header beyond the message end`);
    if (next === 46 || next === 53) return { offset: off, type: next };
    const len = (bytes[off + 2] << 8) | bytes[off + 3];
    if (len < 4) throw new Error(`payload ${next} has length ${len}`);
    next = bytes[off];
    off += len;
  }
  return undefined;
}

/** The whole inner payload chain of message `m`: its own plaintext, or, for the last fragment, all of them joined. */
export function plaintextOf(f: Fixture, m: FixtureMessage): Uint8Array | undefined {
  if (m.decryptedHex === undefined) return undefined;
  if (!m.reassembledFrom) return hex(m.decryptedHex);
  return hex(m.reassembledFrom.map((i) => f.messages[i].decryptedHex).join(""));
}

/** Messages that carry a complete payload chain: unfragmented ones and the last fragment of each set. */
export function completeMessages(f: Fixture): FixtureMessage[] {
  return f.messages.filter((m) => m.payloads !== undefined);
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The SK/SKF Next Payload of message `m` (of its first fragment when it was sent in fragments): the first inner type. */
export function firstInnerOf(f: Fixture, m: FixtureMessage): number {
  const first = m.reassembledFrom ? f.messages[m.reassembledFrom[0]] : m;
  const b = bytesOf(first);
  const e = findEncrypted(b);
  if (!e) throw new Error(`${f.name}: message ${first.i} has no SK or SKF payload`);
  return b[e.offset];
}

/** Walks a plaintext payload chain by its generic headers: [{ type, offset, body }] (body after the 4-byte header). */
export function walkChain(first: number, bytes: Uint8Array): { type: number; offset: number; body: Uint8Array }[] {
  const out: { type: number; offset: number; body: Uint8Array }[] = [];
  let next = first, off = 0;
  while (next !== 0) {
    if (off + 4 > bytes.length) throw new Error(`payload ${next} header beyond the chain end`);
    const len = (bytes[off + 2] << 8) | bytes[off + 3];
    if (len < 4 || off + len > bytes.length) throw new Error(`payload ${next} length ${len} out of bounds`);
    out.push({ type: next, offset: off, body: bytes.subarray(off + 4, off + len) });
    next = bytes[off];
    off += len;
  }
  if (off !== bytes.length) throw new Error(`${bytes.length - off} bytes after the last payload`);
  return out;
}
