// A seeded mutation fuzzer for the wire decoder, independent of any test harness or runtime, so the
// suite (fuzz.test.ts) and `npm run fuzz -- --iterations N` share it. Every input must either decode or
// throw a WireError; nothing else may escape, no input may take more than `maxMs`, a decoded message
// must re-encode to bytes that decode and re-encode to themselves, and its decoded size must stay a
// small multiple of the input size.
import {
  checkRules, decodeMessage, decodePayloadChain, encodeMessage, encodePayloadChain, PayloadType, WireError,
  type DecodedChain, type DecodedMessage, type IkeMessage, type Payload,
} from "../../ts/wire/index.ts";
import { buildCorpus, type CorpusEntry } from "./corpus.ts";

export interface FuzzFailure {
  readonly seed: number;
  readonly iteration: number;
  readonly corpus: string;
  readonly mutation: string;
  /** The failing input as hex (an inner chain when `firstType` is set). */
  readonly input: string;
  readonly firstType?: number;
  readonly reason: string;
}

export interface FuzzStats {
  readonly seed: number;
  readonly iterations: number;
  /** Inputs that decoded (and re-encoded identically). */
  readonly decoded: number;
  /** Inputs refused with a WireError, by code. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Decoded inputs that then broke a payload rule. */
  readonly ruleViolations: number;
  readonly failures: number;
  /** Slowest single input (decode + rules + re-encode), in milliseconds. */
  readonly maxMs: number;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly iterations: number;
  readonly onFailure?: (f: FuzzFailure) => void;
  /** Slowest acceptable input, ms (default 20; an input over it is retried 3 times, the best time counts). */
  readonly maxMs?: number;
  /** A clock for the per-input timing (default performance.now). */
  readonly now?: () => number;
}

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_U8 = [0, 1, 2, 3, 4, 7, 8, 0x0f, 0x10, 0x20, 0x21, 0x2e, 0x35, 0x7f, 0x80, 0x81, 0xfe, 0xff];
const INTERESTING_U16 = [0, 1, 3, 4, 5, 7, 8, 15, 16, 17, 255, 256, 0x7fff, 0x8000, 0x800e, 0xfffe, 0xffff];
const PAYLOAD_TYPES = [0, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 53, 54, 127, 128, 255];

interface Span { readonly type: number; readonly offset: number; readonly length: number }

interface Seed {
  readonly entry: CorpusEntry;
  readonly outer: boolean;
  readonly spans: readonly Span[];
  readonly decoded: Payload[];
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function u16at(b: Uint8Array, at: number, v: number): void {
  if (at + 1 < b.length && at >= 0) { b[at] = v >>> 8; b[at + 1] = v & 0xff; }
}

function fixHeaderLength(b: Uint8Array): void {
  if (b.length >= 28) {
    const n = b.length;
    b[24] = n >>> 24; b[25] = (n >>> 16) & 0xff; b[26] = (n >>> 8) & 0xff; b[27] = n & 0xff;
  }
}

/** Rewrites the Next Payload links of a byte-level payload list (header byte 16 for outer messages). */
function relink(prefix: Uint8Array, parts: { type: number; bytes: Uint8Array }[], outer: boolean): { bytes: Uint8Array; first: number } {
  const total = prefix.length + parts.reduce((n, p) => n + p.bytes.length, 0);
  const out = new Uint8Array(total);
  out.set(prefix);
  let at = prefix.length;
  parts.forEach((p, i) => {
    out.set(p.bytes, at);
    // SK/SKF keep their own Next Payload (the first inner type).
    if (p.type !== PayloadType.SK && p.type !== PayloadType.SKF) out[at] = i + 1 < parts.length ? parts[i + 1].type : 0;
    at += p.bytes.length;
  });
  const first = parts.length ? parts[0].type : 0;
  if (outer && out.length >= 28) { out[16] = first; fixHeaderLength(out); }
  return { bytes: out, first };
}

type Mutation = (s: Seed, rnd: () => number, all: readonly Seed[]) => { bytes: Uint8Array; firstType?: number } | undefined;

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

const MUTATIONS: readonly (readonly [string, Mutation])[] = [
  ["bit flips", (s, rnd) => {
    const b = s.entry.bytes.slice();
    for (let k = 1 + int(rnd, 4); k > 0; k--) b[int(rnd, b.length)] ^= 1 << int(rnd, 8);
    return { bytes: b };
  }],
  ["byte sets", (s, rnd) => {
    const b = s.entry.bytes.slice();
    for (let k = 1 + int(rnd, 4); k > 0; k--) b[int(rnd, b.length)] = rnd() < 0.7 ? pick(rnd, INTERESTING_U8) : int(rnd, 256);
    return { bytes: b };
  }],
  ["u16 sets", (s, rnd) => {
    const b = s.entry.bytes.slice();
    u16at(b, int(rnd, b.length - 1), rnd() < 0.8 ? pick(rnd, INTERESTING_U16) : int(rnd, 65536));
    return { bytes: b };
  }],
  ["truncation", (s, rnd) => ({ bytes: s.entry.bytes.slice(0, int(rnd, s.entry.bytes.length)) })],
  ["payload length lie", (s, rnd) => {
    if (!s.spans.length) return undefined;
    const b = s.entry.bytes.slice();
    const sp = pick(rnd, s.spans);
    const lies = [0, 1, 3, 4, 5, sp.length - 1, sp.length + 1, sp.length - 4, sp.length + 4, 0xffff, int(rnd, 65536)];
    u16at(b, sp.offset + 2, pick(rnd, lies) & 0xffff);
    return { bytes: b };
  }],
  ["inner length lie", (s, rnd) => {
    // Substructure lengths and counts (proposal, transform, attribute, selector, SPI counts...).
    if (!s.spans.length) return undefined;
    const b = s.entry.bytes.slice();
    const sp = pick(rnd, s.spans);
    if (sp.length <= 4) return undefined;
    const at = sp.offset + 4 + int(rnd, sp.length - 4);
    if (rnd() < 0.5) u16at(b, at, pick(rnd, INTERESTING_U16)); else b[at] = pick(rnd, [0, 1, 2, 3, 4, 8, 0x40, 0x80, 0xff]);
    return { bytes: b };
  }],
  ["header length lie", (s, rnd) => {
    if (!s.outer) return undefined;
    const b = s.entry.bytes.slice();
    const n = pick(rnd, [0, 27, 28, b.length - 1, b.length + 1, 0xffffffff, int(rnd, 100000)]) >>> 0;
    b[24] = n >>> 24; b[25] = (n >>> 16) & 0xff; b[26] = (n >>> 8) & 0xff; b[27] = n & 0xff;
    return { bytes: b };
  }],
  ["next payload swap", (s, rnd) => {
    const b = s.entry.bytes.slice();
    const links = s.spans.map((sp) => sp.offset).concat(s.outer ? [16] : []);
    if (!links.length) return undefined;
    b[pick(rnd, links)] = pick(rnd, PAYLOAD_TYPES);
    return { bytes: b, firstType: s.outer || rnd() < 0.7 ? undefined : pick(rnd, PAYLOAD_TYPES) };
  }],
  ["critical bit", (s, rnd) => {
    const b = s.entry.bytes.slice();
    if (!s.spans.length) return undefined;
    const sp = pick(rnd, s.spans);
    b[sp.offset + 1] ^= 0x80;
    // and make some payload type unknown so the bit matters
    if (rnd() < 0.5) b[sp.offset] = pick(rnd, [49, 60, 99, 128, 200, 255]);
    return { bytes: b };
  }],
  ["inserted bytes", (s, rnd) => {
    const src = s.entry.bytes;
    const at = int(rnd, src.length + 1), n = 1 + int(rnd, 12);
    const b = new Uint8Array(src.length + n);
    b.set(src.subarray(0, at));
    for (let i = 0; i < n; i++) b[at + i] = int(rnd, 256);
    b.set(src.subarray(at), at + n);
    if (s.outer && rnd() < 0.7) fixHeaderLength(b);
    return { bytes: b };
  }],
  ["deleted bytes", (s, rnd) => {
    const src = s.entry.bytes;
    const at = int(rnd, src.length), end = Math.min(src.length, at + 1 + int(rnd, 12));
    const b = new Uint8Array(src.length - (end - at));
    b.set(src.subarray(0, at));
    b.set(src.subarray(end), at);
    if (s.outer && rnd() < 0.7) fixHeaderLength(b);
    return { bytes: b };
  }],
  ["duplicated payload", (s, rnd) => {
    if (!s.spans.length) return undefined;
    const parts = s.spans.map((sp) => ({ type: sp.type, bytes: s.entry.bytes.slice(sp.offset, sp.offset + sp.length) }));
    const i = int(rnd, parts.length);
    for (let k = 1 + (rnd() < 0.2 ? 80 : int(rnd, 3)); k > 0; k--) parts.splice(i, 0, parts[i]);
    const prefix = s.outer ? s.entry.bytes.slice(0, 28) : new Uint8Array(0);
    const r = relink(prefix, parts, s.outer);
    return { bytes: r.bytes, firstType: s.outer ? undefined : r.first };
  }],
  ["reordered payloads", (s, rnd) => {
    if (s.spans.length < 2) return undefined;
    const parts = s.spans.map((sp) => ({ type: sp.type, bytes: s.entry.bytes.slice(sp.offset, sp.offset + sp.length) }));
    for (let i = parts.length - 1; i > 0; i--) { const j = int(rnd, i + 1); [parts[i], parts[j]] = [parts[j], parts[i]]; }
    if (rnd() < 0.3) parts.splice(int(rnd, parts.length), 1);
    const prefix = s.outer ? s.entry.bytes.slice(0, 28) : new Uint8Array(0);
    const r = relink(prefix, parts, s.outer);
    return { bytes: r.bytes, firstType: s.outer ? undefined : r.first };
  }],
  ["huge counts", (s, rnd) => {
    // Repeat the inner structures of a decoded payload past the limits, then encode.
    const payloads = s.decoded.map((p) => blowUp(p, rnd));
    try {
      if (s.outer) return { bytes: encodeMessage({ header: (s.entry.msg as IkeMessage).header, payloads }) };
      const c = encodePayloadChain(payloads);
      return { bytes: c.bytes, firstType: c.firstType };
    } catch (e) {
      if (e instanceof WireError && e.code === "INVALID_ARGUMENT") return undefined;
      throw e;
    }
  }],
  ["spliced from another message", (s, rnd, all) => {
    const b = s.entry.bytes.slice();
    const other = pick(rnd, all).entry.bytes;
    const from = int(rnd, other.length), to = int(rnd, b.length), n = 1 + int(rnd, 24);
    for (let i = 0; i < n && from + i < other.length && to + i < b.length; i++) b[to + i] = other[from + i];
    return { bytes: b };
  }],
];

function times<T>(xs: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(...xs);
  return out;
}

function blowUp(p: Payload, rnd: () => number): Payload {
  const n = 2 + int(rnd, 90);
  switch (p.type) {
    case PayloadType.SA: {
      const proposals = times(p.proposals, n).map((pr, i) => ({ ...pr, number: i + 1, transforms: rnd() < 0.5 ? times(pr.transforms, 1 + int(rnd, 20)) : pr.transforms }));
      return { ...p, proposals };
    }
    case PayloadType.TSi: case PayloadType.TSr: return { ...p, selectors: times(p.selectors, n) };
    case PayloadType.CP: return p.attributes.length ? { ...p, attributes: times(p.attributes, n) } : p;
    case PayloadType.D: return p.spis.length ? { ...p, spis: times(p.spis, n * 20) } : p;
    default: return p;
  }
}

/** Rough bytes held by a decoded structure (array and object headers counted at 16 bytes). */
function footprint(v: unknown, depth = 0): number {
  if (v instanceof Uint8Array) return 16 + v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + footprint(x, depth + 1), 16);
  if (v && typeof v === "object") return Object.values(v).reduce((n: number, x) => n + footprint(x, depth + 1), 16);
  return 8;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const CODES = new Set(["TRUNCATED", "BAD_LENGTH", "BAD_VALUE", "LIMIT_EXCEEDED", "UNSUPPORTED_CRITICAL_PAYLOAD", "RULE_VIOLATION", "BAD_VERSION"]);

/** Runs one input through decode, rules and re-encode. Returns the outcome, or a failure reason. */
function exercise(input: Uint8Array, outer: boolean, firstType: number): { code?: string; rule?: boolean; reason?: string } {
  let decoded: DecodedMessage | DecodedChain;
  try {
    decoded = outer ? decodeMessage(input) : decodePayloadChain(firstType, input);
  } catch (e) {
    if (!(e instanceof WireError)) return { reason: `decode threw ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
    if (!CODES.has(e.code)) return { reason: `decode threw WireError ${e.code} (not a peer-input code): ${e.message}` };
    if (!e.message || (e.notify === undefined && e.code !== "BAD_VERSION")) return { reason: `WireError without message or notify: ${e.code}` };
    return { code: e.code };
  }
  // Decoded: the structure stays a small multiple of the input.
  const fp = footprint(decoded.payloads);
  if (fp > 16 * input.length + 256) return { reason: `decoded footprint ${fp} for ${input.length} input bytes` };
  let rule = false;
  const exchange = outer ? (decoded as DecodedMessage).header.exchangeType : 35;
  const response = outer ? (decoded as DecodedMessage).header.response : false;
  try {
    checkRules(exchange, response, decoded.payloads, { encrypted: !outer });
  } catch (e) {
    if (!(e instanceof WireError) || e.code !== "RULE_VIOLATION") return { reason: `checkRules threw ${String(e)}` };
    rule = true;
  }
  // Re-encode: decode(encode(x)) must encode to the same bytes.
  try {
    if (outer) {
      const e1 = encodeMessage(decoded as DecodedMessage);
      const e2 = encodeMessage(decodeMessage(e1));
      if (!equalBytes(e1, e2)) return { reason: "re-encoding is not stable" };
    } else {
      const c1 = encodePayloadChain(decoded.payloads);
      const c2 = encodePayloadChain(decodePayloadChain(c1.firstType, c1.bytes).payloads);
      if (!equalBytes(c1.bytes, c2.bytes) || c1.firstType !== c2.firstType) return { reason: "re-encoding is not stable" };
    }
  } catch (e) {
    return { reason: `re-encode of a decoded input threw ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  }
  return { rule };
}

/** Runs `iterations` mutated inputs drawn from the corpus; reports failures through onFailure. */
export function runFuzz(opts: FuzzOptions): FuzzStats {
  const now = opts.now ?? (() => performance.now());
  const maxMs = opts.maxMs ?? 20;
  const rnd = prng(opts.seed);
  const seeds: Seed[] = buildCorpus().map((entry) => {
    const outer = entry.firstType === undefined;
    const d = outer ? decodeMessage(entry.bytes) : decodePayloadChain(entry.firstType as number, entry.bytes);
    return { entry, outer, spans: d.spans, decoded: d.payloads };
  });
  const rejected: Record<string, number> = {};
  let decodedCount = 0, ruleViolations = 0, failures = 0, slowest = 0;
  for (let it = 0; it < opts.iterations; it++) {
    const s = pick(rnd, seeds);
    const [mname, mutate] = pick(rnd, MUTATIONS);
    let m: { bytes: Uint8Array; firstType?: number } | undefined;
    try {
      m = mutate(s, rnd, seeds);
    } catch (e) {
      failures++;
      opts.onFailure?.({ seed: opts.seed, iteration: it, corpus: s.entry.name, mutation: mname, input: toHex(s.entry.bytes), reason: `mutator threw ${String(e)}` });
      continue;
    }
    if (!m) { it--; continue; }
    const firstType = m.firstType ?? s.entry.firstType ?? 0;
    let t0 = now();
    let out = exercise(m.bytes, s.outer, firstType);
    let dt = now() - t0;
    for (let retry = 0; retry < 3 && dt > maxMs; retry++) {
      // A garbage collection or a busy machine, or a real slow path? Only a repeatable time counts.
      t0 = now();
      out = exercise(m.bytes, s.outer, firstType);
      dt = Math.min(dt, now() - t0);
    }
    if (dt > slowest) slowest = dt;
    const fail = (reason: string) => {
      failures++;
      opts.onFailure?.({
        seed: opts.seed, iteration: it, corpus: s.entry.name, mutation: mname, input: toHex(m!.bytes),
        ...(s.outer ? {} : { firstType }), reason,
      });
    };
    if (out.reason) fail(out.reason);
    else if (dt > maxMs) fail(`took ${dt.toFixed(2)} ms (limit ${maxMs} ms)`);
    if (out.code) rejected[out.code] = (rejected[out.code] ?? 0) + 1;
    else if (!out.reason) { decodedCount++; if (out.rule) ruleViolations++; }
  }
  return { seed: opts.seed, iterations: opts.iterations, decoded: decodedCount, rejected, ruleViolations, failures, maxMs: slowest };
}
