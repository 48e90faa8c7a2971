// Which payloads each exchange carries, as a table (strongSwan encoding/message.c style): for each
// exchange type and direction, the payloads allowed outside SK and inside it, how many of each, and the
// ordering rules the RFC states. RFC 7296 §1.2-§1.5, §2.6, §3.14; RFC 4739, 5723, 5998, 6023, 7383,
// 9242, 9370. A message may match one of several shapes (a normal response or an error response...).
import { wireError } from "./errors.ts";
import { ExchangeType as X, NotifyType, PayloadType as P } from "./iana.ts";
import { KNOWN_PAYLOAD_TYPES, payloadName, wireType, type Payload } from "./payload.ts";

const MANY = Infinity;

/** One acceptable shape: payload type -> [min, max]; types absent from `counts` are not allowed. */
export interface PayloadRuleSet {
  /** Says which shape this is, e.g. "error response". */
  readonly name: string;
  readonly counts: ReadonlyMap<number, readonly [number, number]>;
  /** Groups that appear all together or not at all (SA/TSi/TSr of a Child SA, RFC 6023). */
  readonly together?: readonly (readonly number[])[];
}

export interface ExchangeRules {
  readonly exchange: number;
  readonly response: boolean;
  /** "IKE_SA_INIT request" */
  readonly name: string;
  /** Shapes for the payloads outside any SK payload. */
  readonly outer: readonly PayloadRuleSet[];
  /** Shapes for the payloads inside SK/SKF; undefined when the exchange is never encrypted. */
  readonly inner?: readonly PayloadRuleSet[];
  /** RFC 7296 §2.6: N(COOKIE), when present, MUST be the first payload. */
  readonly cookieFirst?: boolean;
}

type Counts = Readonly<Record<number, readonly [number, number]>>;
const shape = (name: string, counts: Counts, together?: number[][]): PayloadRuleSet => ({
  name,
  counts: new Map(Object.entries(counts).map(([k, v]) => [Number(k), v] as const)),
  ...(together ? { together } : {}),
});
const NV: Counts = { [P.N]: [0, MANY], [P.V]: [0, MANY] };
const ERROR_ONLY = shape("error or status notification only", { [P.N]: [1, MANY], [P.V]: [0, MANY] });
const ENCRYPTED_OUTER = [shape("SK payload", { [P.SK]: [1, 1] }), shape("SKF fragment (RFC 7383)", { [P.SKF]: [1, 1] })];
const CHILD = [[P.SA, P.TSi, P.TSr]];
const opt = [0, 1] as const, one = [1, 1] as const, any = [0, MANY] as const;

const TABLE: readonly ExchangeRules[] = [
  // RFC 7296 §1.2: HDR, SAi1, KEi, Ni  -->  <--  HDR, SAr1, KEr, Nr, [CERTREQ]
  {
    exchange: X.IKE_SA_INIT, response: false, name: "IKE_SA_INIT request", cookieFirst: true,
    outer: [shape("request", { [P.SA]: one, [P.KE]: one, [P.NONCE]: one, [P.CERTREQ]: any, ...NV })],
  },
  {
    exchange: X.IKE_SA_INIT, response: true, name: "IKE_SA_INIT response",
    // §1.2-§2.6: or only N (COOKIE, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, INVALID_MAJOR_VERSION...).
    outer: [shape("response", { [P.SA]: one, [P.KE]: one, [P.NONCE]: one, [P.CERTREQ]: any, ...NV }), ERROR_ONLY],
  },
  // RFC 7296 §1.2, §2.16 (EAP), RFC 4739 (multiple auth), RFC 6023 (childless).
  {
    exchange: X.IKE_AUTH, response: false, name: "IKE_AUTH request", outer: ENCRYPTED_OUTER,
    inner: [
      shape("request", {
        [P.IDi]: one, [P.AUTH]: opt, [P.CERT]: any, [P.CERTREQ]: any, [P.IDr]: opt,
        [P.SA]: opt, [P.TSi]: opt, [P.TSr]: opt, [P.CP]: opt, ...NV,
      }, CHILD),
      shape("EAP round (RFC 7296 §2.16)", { [P.EAP]: one, ...NV }),
      shape("final AUTH after EAP (RFC 7296 §2.16)", { [P.AUTH]: one, ...NV }),
    ],
  },
  {
    exchange: X.IKE_AUTH, response: true, name: "IKE_AUTH response", outer: ENCRYPTED_OUTER,
    inner: [
      shape("response", {
        [P.IDr]: one, [P.AUTH]: one, [P.CERT]: any, [P.SA]: opt, [P.TSi]: opt, [P.TSr]: opt,
        [P.CP]: opt, [P.EAP]: opt, ...NV,
      }, CHILD),
      shape("EAP round (RFC 7296 §2.16)", { [P.EAP]: one, ...NV }),
      shape("EAP-only first response (RFC 5998)", { [P.IDr]: one, [P.EAP]: one, ...NV }),
      shape("final response after EAP (RFC 7296 §2.16)", {
        [P.AUTH]: one, [P.SA]: opt, [P.TSi]: opt, [P.TSr]: opt, [P.CP]: opt, ...NV,
      }, CHILD),
      ERROR_ONLY,
    ],
  },
  // RFC 7296 §1.3: SA, Ni, [KEi], [TSi, TSr] (no TS when rekeying the IKE SA).
  {
    exchange: X.CREATE_CHILD_SA, response: false, name: "CREATE_CHILD_SA request", outer: ENCRYPTED_OUTER,
    inner: [shape("request", { [P.SA]: one, [P.NONCE]: one, [P.KE]: opt, [P.TSi]: opt, [P.TSr]: opt, ...NV }, [[P.TSi, P.TSr]])],
  },
  {
    exchange: X.CREATE_CHILD_SA, response: true, name: "CREATE_CHILD_SA response", outer: ENCRYPTED_OUTER,
    inner: [
      shape("response", { [P.SA]: one, [P.NONCE]: one, [P.KE]: opt, [P.TSi]: opt, [P.TSr]: opt, ...NV }, [[P.TSi, P.TSr]]),
      ERROR_ONLY,
    ],
  },
  // RFC 7296 §1.4: HDR, SK {[N,] [D,] [CP,] ...}; §1.5: unprotected N(INVALID_IKE_SPI) / N(INVALID_SPI).
  ...[false, true].map((response): ExchangeRules => ({
    exchange: X.INFORMATIONAL, response, name: `INFORMATIONAL ${response ? "response" : "request"}`,
    outer: [...ENCRYPTED_OUTER, shape("unprotected notification (RFC 7296 §1.5)", { [P.N]: [1, MANY] })],
    inner: [shape(response ? "response" : "request", { [P.N]: any, [P.D]: any, [P.CP]: opt, [P.V]: any })],
  })),
  // RFC 5723 §4.1: HDR, [N(COOKIE),] Ni, N(TICKET_OPAQUE) [,N+]  -->  <--  HDR, Nr [,N+]
  {
    exchange: X.IKE_SESSION_RESUME, response: false, name: "IKE_SESSION_RESUME request", cookieFirst: true,
    outer: [shape("request", { [P.NONCE]: one, [P.N]: [1, MANY], [P.V]: any })],
  },
  {
    exchange: X.IKE_SESSION_RESUME, response: true, name: "IKE_SESSION_RESUME response",
    outer: [shape("response", { [P.NONCE]: one, ...NV }), ERROR_ONLY],
  },
  // RFC 9242 §3 (IKE_INTERMEDIATE), RFC 9370 §2.2.2 (KE inside it) and §2.2.4 (IKE_FOLLOWUP_KE).
  ...[false, true].map((response): ExchangeRules => ({
    exchange: X.IKE_INTERMEDIATE, response, name: `IKE_INTERMEDIATE ${response ? "response" : "request"}`,
    outer: ENCRYPTED_OUTER, inner: [shape(response ? "response" : "request", { [P.KE]: opt, ...NV })],
  })),
  {
    exchange: X.IKE_FOLLOWUP_KE, response: false, name: "IKE_FOLLOWUP_KE request", outer: ENCRYPTED_OUTER,
    inner: [shape("request", { [P.KE]: one, [P.N]: [1, MANY], [P.V]: any })],
  },
  {
    exchange: X.IKE_FOLLOWUP_KE, response: true, name: "IKE_FOLLOWUP_KE response", outer: ENCRYPTED_OUTER,
    inner: [shape("response", { [P.KE]: one, [P.N]: [1, MANY], [P.V]: any }), ERROR_ONLY],
  },
];

/** The whole table, for inspection and documentation. */
export const RULES: readonly ExchangeRules[] = TABLE;

/** The rules for an exchange type and direction, or undefined for exchanges we do not speak. */
export function rulesFor(exchange: number, isResponse: boolean): ExchangeRules | undefined {
  return TABLE.find((r) => r.exchange === exchange && r.response === isResponse);
}

function violations(set: PayloadRuleSet, types: readonly number[], encrypted: boolean, hasInner: boolean): string[] {
  const out: string[] = [];
  const seen = new Map<number, number>();
  for (const t of types) seen.set(t, (seen.get(t) ?? 0) + 1);
  for (const [t, n] of seen) {
    if (!set.counts.has(t)) {
      const where = encrypted ? " inside SK" : hasInner ? " outside SK" : "";
      out.push(`${payloadName(t)} payload not allowed${where}`);
    }
  }
  for (const [t, [min, max]] of set.counts) {
    const n = seen.get(t) ?? 0;
    if (n < min) out.push(min === 1 ? `${payloadName(t)} payload required` : `at least ${min} ${payloadName(t)} payloads required, got ${n}`);
    if (n > max) out.push(`${n} ${payloadName(t)} payloads, at most ${max} allowed`);
  }
  for (const group of set.together ?? []) {
    const present = group.filter((t) => seen.has(t));
    if (present.length !== 0 && present.length !== group.length) {
      out.push(`${group.map(payloadName).join(", ")} must appear together (got only ${present.map(payloadName).join(", ")})`);
    }
  }
  return out;
}

/**
 * Checks the payloads of one chain (the outer one, or with `encrypted` the decrypted inner one)
 * against the table. Unknown payload types are ignored (RFC 7296 §2.5: non-critical ones are skipped).
 * Payload objects (rather than bare types) also let it check N(COOKIE) placement. Throws a WireError
 * RULE_VIOLATION naming the rule, with INVALID_SYNTAX as the notify.
 */
export function checkRules(
  exchange: number,
  isResponse: boolean,
  payloads: readonly (number | Payload)[],
  opts: { readonly encrypted: boolean },
): void {
  const rules = rulesFor(exchange, isResponse);
  const dir = isResponse ? "response" : "request";
  const fail = (detail: string, type?: number): never => {
    throw wireError("RULE_VIOLATION", rules?.name ?? `exchange type ${exchange} ${dir}`, detail, -1, type);
  };
  if (!rules) return fail("no payload rules for this exchange type");
  const types = payloads.map((p) => (typeof p === "number" ? p : wireType(p))).filter((t) => KNOWN_PAYLOAD_TYPES.has(t));
  const sets = opts.encrypted ? rules.inner : rules.outer;
  if (!sets) return fail("is never encrypted, yet payloads were found inside SK");
  // The message must fit one shape; when none fits, report the shape it misses by the least (the
  // first, main shape on ties), naming that shape when it is an alternative one.
  let best: string[] | undefined, bestIndex = 0;
  for (let i = 0; i < sets.length; i++) {
    const v = violations(sets[i], types, opts.encrypted, rules.inner !== undefined);
    if (v.length === 0) { best = undefined; break; }
    if (!best || v.length < best.length) { best = v; bestIndex = i; }
  }
  if (best) fail(best[0] + (bestIndex > 0 ? ` (as ${sets[bestIndex].name})` : ""));
  // RFC 7296 §3.14, RFC 7383 §2.5: SK / SKF is the last payload.
  const encIndex = types.findIndex((t) => t === P.SK || t === P.SKF);
  if (encIndex >= 0 && encIndex !== types.length - 1) fail(`${payloadName(types[encIndex])} payload must be the last payload (RFC 7296 §3.14)`);
  // RFC 7296 §2.6: "a Notify payload of type COOKIE ... as the first payload".
  if (rules.cookieFirst && !opts.encrypted) {
    const i = payloads.findIndex((p) => typeof p !== "number" && p.type === P.N && p.notifyType === NotifyType.COOKIE);
    if (i > 0) fail("N(COOKIE) must be the first payload (RFC 7296 §2.6)", P.N);
  }
}
