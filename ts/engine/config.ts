// Typed configuration of an endpoint and its connections, validated with zod. Invalid input yields a
// ConfigError whose message names the field ("connections[0].ike.proposals: unknown algorithm keyword
// \"aes999\""). Times in the input are seconds (as in swanctl.conf); the engine works in milliseconds.
import { z } from "zod";
import { ID_TYPE, IdentitySyntaxError, parseIdentity, type Identity } from "../config/identity.ts";
import type { SigPrivateKey } from "../crypto/sig.ts";
import { checkKeyMatchesCertificate, checkLocalCredential, dnFromText, KEY_USAGE, parseCertificates, parseCrl, parsePrivateKey, type Certificate, type Crl } from "../pki/index.ts";
import { parseProposals, type ProposalSpec } from "../config/proposals.ts";
import { parseSelector, type TrafficSelector } from "./selectors.ts";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: { path: string; message: string }[]) {
    super("invalid configuration:\n" + issues.map((i) => `  ${i.path || "(top level)"}: ${i.message}`).join("\n"));
  }
}

const seconds = z.number().finite().nonnegative();

const tsList = z.array(z.string()).min(1, "at least one traffic selector");

const ChildInput = z.object({
  name: z.string().min(1),
  esp: z.string().default("aes128gcm16,aes128-sha256"),
  localTs: tsList.default(["dynamic"]),
  remoteTs: tsList.default(["dynamic"]),
  /** Soft lifetime: rekey after this many seconds. */
  rekeyTime: seconds.default(3600),
  /** Hard lifetime: delete after this many seconds (default rekeyTime * 1.1). */
  lifeTime: seconds.optional(),
  /** Fraction of rekeyTime subtracted at random (0..0.5), so SAs do not rekey in step. */
  jitter: z.number().min(0).max(0.5).default(0.1),
  /** Data plane limits: rekey after this many bytes / packets (0 = none). */
  rekeyBytes: z.number().int().nonnegative().default(0),
  rekeyPackets: z.number().int().nonnegative().default(0),
  /** Hard data plane limits: the SA carries no more after this many bytes / packets (default 110% of the rekey limit). */
  lifeBytes: z.number().int().nonnegative().optional(),
  lifePackets: z.number().int().nonnegative().optional(),
  mode: z.enum(["tunnel"]).default("tunnel"),
}).strict();

const ConnectionInput = z.object({
  name: z.string().min(1),
  local: z.object({
    id: z.string().min(1),
    /** Our address for this connection (used by initiators; optional for responders). */
    address: z.string().optional(),
    /** How we authenticate: "psk" or "pubkey" (a certificate); default pubkey when `cert` is given, else psk. */
    auth: z.enum(["psk", "pubkey"]).optional(),
    /** Our certificate as PEM text: the leaf first, then the intermediates we send with it. */
    cert: z.string().min(1).optional(),
    /** Our private key as PEM text (PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted). */
    key: z.string().min(1).optional(),
    /** "rfc7427": Digital Signature (method 14) when the peer announced SIGNATURE_HASH_ALGORITHMS, else the classic method; "classic": always 1 (RSA) or 9/10/11 (ECDSA). */
    signature: z.enum(["rfc7427", "classic"]).default("rfc7427"),
    /** RSA keys under method 14: PKCS#1 v1.5 or RSASSA-PSS. */
    rsaPadding: z.enum(["pkcs1", "pss"]).default("pkcs1"),
    /** Send our certificate chain always (RFC 7296 §3.6), only when the peer sent a CERTREQ, or never. */
    sendCert: z.enum(["always", "ifasked", "never"]).default("always"),
  }).strict(),
  remote: z.object({
    id: z.string().min(1).default("%any"),
    address: z.string().optional(),
    port: z.number().int().min(1).max(65535).default(500),
    /** The peer's NAT-T port (RFC 3948), used after NAT detection. */
    nattPort: z.number().int().min(1).max(65535).default(4500),
    /** How the peer authenticates: "psk" or "pubkey"; default pubkey when `cacerts` is given, else psk when `psk` is. */
    auth: z.enum(["psk", "pubkey"]).optional(),
    /** Trust anchors for the peer's certificate: PEM text (one or more CERTIFICATE blocks), or a list of them. */
    cacerts: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** CRLs (PEM or DER as base64 PEM text) consulted when validating the peer's chain. */
    crls: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    /** Ask the peer for a certificate from our trust anchors (CERTREQ with their key hashes, RFC 7296 §3.7). */
    sendCertReq: z.boolean().default(true),
  }).strict().prefault({}),
  /** Pre-shared key: text, or hex with a 0x prefix. Required when either side authenticates with it. */
  psk: z.string().min(1, "the PSK must not be empty").optional(),
  ike: z.object({
    proposals: z.string().default("aes128gcm16-prfsha256-x25519,aes128gcm16-prfsha256-ecp256,aes256-sha256-modp2048"),
    rekeyTime: seconds.default(14400),
    overTime: seconds.optional(),
    jitter: z.number().min(0).max(0.5).default(0.1),
    /** Liveness check interval in seconds; 0 disables. */
    dpdDelay: seconds.default(30),
  }).strict().prefault({}),
  children: z.array(ChildInput).default([]),
  /** Initiate this connection when the endpoint starts. */
  start: z.boolean().default(false),
  /** RFC 6023: allow ("allow"), require ("force") or refuse ("never") an IKE SA without a Child SA. */
  childless: z.enum(["allow", "force", "never"]).default("allow"),
  /** Send INITIAL_CONTACT in IKE_AUTH (initiator), as strongSwan does by default. */
  initialContact: z.boolean().default(true),
}).strict();

const EndpointInput = z.object({
  connections: z.array(ConnectionInput).min(1, "at least one connection"),
  retransmit: z.object({
    /** First retransmission after this many seconds. */
    timeout: z.number().positive().default(4),
    /** Backoff base: the n-th retransmission waits timeout * base^n. */
    base: z.number().min(1).default(1.8),
    /** Give up after this many retransmissions. */
    tries: z.number().int().min(0).max(20).default(5),
  }).strict().prefault({}),
  /** Half-open IKE SAs are dropped after this many seconds. */
  halfOpenTimeout: seconds.default(30),
  /** Demand cookies once this many IKE SAs are half open (RFC 7296 §2.6); 0 = always. */
  cookieThreshold: z.number().int().nonnegative().default(10),
  /** Rotate the cookie secret every this many seconds. */
  cookieRotate: seconds.default(120),
  /** Fragment IKE messages larger than this (RFC 7383), when the peer supports it; 0 disables. */
  fragmentSize: z.number().int().nonnegative().default(1280),
  /** Emit key-log events in Wireshark's formats. */
  keyLog: z.boolean().default(false),
  /** Local IKE ports (the NAT-T port is used after NAT detection, RFC 7296 §2.23). */
  ports: z.object({ ike: z.number().int().min(1).max(65535).default(500), natt: z.number().int().min(1).max(65535).default(4500) }).strict().prefault({}),
  /** Always use UDP encapsulation (as if a NAT were detected). */
  forceEncap: z.boolean().default(false),
}).strict();

export type EndpointInput = z.input<typeof EndpointInput>;

export interface ChildConfig {
  name: string;
  proposals: ProposalSpec[];
  localTs: string[];
  remoteTs: string[];
  rekeyMs: number;
  lifeMs: number;
  jitter: number;
  rekeyBytes: number;
  rekeyPackets: number;
  /** Hard limits (0: none). */
  lifeBytes: number;
  lifePackets: number;
}

/** How we authenticate ourselves. */
export type LocalAuth =
  | { kind: "psk" }
  | {
    kind: "pubkey";
    /** Leaf first, then the intermediates we send. */
    chain: Certificate[];
    key: SigPrivateKey;
    classic: boolean;
    rsaPadding: "pkcs1" | "pss";
    sendCert: "always" | "ifasked" | "never";
  };

/** How we authenticate the peer. */
export type RemoteAuth =
  | { kind: "psk" }
  | { kind: "pubkey"; anchors: Certificate[]; crls: Crl[]; sendCertReq: boolean };

export interface ConnectionConfig {
  name: string;
  localId: Identity;
  localAuth: LocalAuth;
  remoteAuth: RemoteAuth;
  localAddress?: string;
  /** undefined = %any. */
  remoteId?: Identity;
  remoteAddress?: string;
  remotePort: number;
  remoteNattPort: number;
  /** Empty when neither side uses a pre-shared key. */
  psk: Uint8Array;
  ikeProposals: ProposalSpec[];
  ikeRekeyMs: number;
  ikeLifeMs: number;
  ikeJitter: number;
  dpdMs: number;
  children: ChildConfig[];
  start: boolean;
  childless: "allow" | "force" | "never";
  initialContact: boolean;
}

export interface EndpointConfig {
  connections: ConnectionConfig[];
  retransmit: { timeoutMs: number; base: number; tries: number };
  halfOpenMs: number;
  cookieThreshold: number;
  cookieRotateMs: number;
  fragmentSize: number;
  keyLog: boolean;
  ports: { ike: number; natt: number };
  forceEncap: boolean;
}

function pathText(path: PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function parsePsk(s: string): Uint8Array {
  if (/^0x([0-9a-fA-F]{2})+$/.test(s)) {
    const h = s.slice(2);
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }
  return new TextEncoder().encode(s);
}

/** An identity as written; a distinguished name may also be written as text ("CN=gw, O=Example"). */
function parseId(text: string): Identity {
  try {
    return parseIdentity(text);
  } catch (e) {
    if (!(e instanceof IdentitySyntaxError) || !/=/.test(text)) throw e;
    return { type: ID_TYPE.ID_DER_ASN1_DN, data: dnFromText(text.replace(/^(asn1dn|dn):/i, "")) };
  }
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === "string" ? [v] : v);

export interface ResolveOptions {
  /**
   * Wall-clock time (ms since the epoch) for the validity dates of our own certificates; without it
   * dates are not checked here (the engine checks the peer's at its injected wall clock).
   */
  now?: number;
}

/** Validates and resolves an endpoint configuration; throws ConfigError naming every bad field. */
export function resolveConfig(input: unknown, opts: ResolveOptions = {}): EndpointConfig {
  const r = EndpointInput.safeParse(input);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: pathText(i.path), message: i.message })));
  const c = r.data;
  const issues: { path: string; message: string }[] = [];
  const attempt = <T>(path: string, f: () => T): T | undefined => {
    try { return f(); } catch (e) { issues.push({ path, message: e instanceof Error ? e.message : String(e) }); return undefined; }
  };
  const names = new Set<string>();
  const connections = c.connections.map((conn, ci): ConnectionConfig => {
    const base = `connections[${ci}]`;
    if (names.has(conn.name)) issues.push({ path: `${base}.name`, message: `duplicate connection name "${conn.name}"` });
    names.add(conn.name);
    const localId = attempt(`${base}.local.id`, () => parseId(conn.local.id));
    const remoteId = conn.remote.id === "%any" ? undefined : attempt(`${base}.remote.id`, () => parseId(conn.remote.id));
    const { localAuth, remoteAuth } = resolveAuth(conn, base, issues, opts);
    const ikeProposals = attempt(`${base}.ike.proposals`, () => parseProposals(conn.ike.proposals, "ike")) ?? [];
    if (conn.start && !conn.remote.address) issues.push({ path: `${base}.remote.address`, message: "a connection with start: true needs the peer's address" });
    const childNames = new Set<string>();
    const children = conn.children.map((ch, chi): ChildConfig => {
      const cb = `${base}.children[${chi}]`;
      if (childNames.has(ch.name)) issues.push({ path: `${cb}.name`, message: `duplicate child name "${ch.name}"` });
      childNames.add(ch.name);
      const proposals = attempt(`${cb}.esp`, () => parseProposals(ch.esp, "esp")) ?? [];
      ch.localTs.forEach((t, i) => attempt(`${cb}.localTs[${i}]`, () => parseSelector(t, "0.0.0.0")));
      ch.remoteTs.forEach((t, i) => attempt(`${cb}.remoteTs[${i}]`, () => parseSelector(t, "0.0.0.0")));
      const lifeMs = (ch.lifeTime ?? ch.rekeyTime * 1.1) * 1000;
      if (lifeMs <= ch.rekeyTime * 1000 && ch.rekeyTime > 0) issues.push({ path: `${cb}.lifeTime`, message: "must be greater than rekeyTime" });
      // As strongSwan's life_bytes/life_packets: 10% above the rekey limit unless given.
      const lifeBytes = ch.lifeBytes ?? Math.ceil(ch.rekeyBytes * 1.1), lifePackets = ch.lifePackets ?? Math.ceil(ch.rekeyPackets * 1.1);
      if (ch.lifeBytes !== undefined && ch.rekeyBytes > 0 && ch.lifeBytes !== 0 && ch.lifeBytes <= ch.rekeyBytes) issues.push({ path: `${cb}.lifeBytes`, message: "must be greater than rekeyBytes (or 0: no hard limit)" });
      if (ch.lifePackets !== undefined && ch.rekeyPackets > 0 && ch.lifePackets !== 0 && ch.lifePackets <= ch.rekeyPackets) issues.push({ path: `${cb}.lifePackets`, message: "must be greater than rekeyPackets (or 0: no hard limit)" });
      return { name: ch.name, proposals, localTs: ch.localTs, remoteTs: ch.remoteTs, rekeyMs: ch.rekeyTime * 1000, lifeMs, jitter: ch.jitter, rekeyBytes: ch.rekeyBytes, rekeyPackets: ch.rekeyPackets, lifeBytes, lifePackets };
    });
    if (conn.childless === "never" && children.length === 0) issues.push({ path: `${base}.children`, message: "childless: never needs at least one child" });
    return {
      name: conn.name, localId: localId!, localAuth, remoteAuth, localAddress: conn.local.address, remoteId, remoteAddress: conn.remote.address, remotePort: conn.remote.port, remoteNattPort: conn.remote.nattPort,
      psk: conn.psk !== undefined ? parsePsk(conn.psk) : new Uint8Array(0), ikeProposals, ikeRekeyMs: conn.ike.rekeyTime * 1000,
      ikeLifeMs: (conn.ike.rekeyTime + (conn.ike.overTime ?? conn.ike.rekeyTime * 0.1)) * 1000, ikeJitter: conn.ike.jitter,
      dpdMs: conn.ike.dpdDelay * 1000, children, start: conn.start, childless: conn.childless, initialContact: conn.initialContact,
    };
  });
  if (issues.length) throw new ConfigError(issues);
  return {
    connections,
    retransmit: { timeoutMs: c.retransmit.timeout * 1000, base: c.retransmit.base, tries: c.retransmit.tries },
    halfOpenMs: c.halfOpenTimeout * 1000, cookieThreshold: c.cookieThreshold, cookieRotateMs: c.cookieRotate * 1000,
    fragmentSize: c.fragmentSize, keyLog: c.keyLog, ports: c.ports, forceEncap: c.forceEncap,
  };
}

type ConnInput = z.output<typeof ConnectionInput>;

/** Authentication of both sides: certificates and keys parsed and checked, each problem naming its field. */
function resolveAuth(conn: ConnInput, base: string, issues: { path: string; message: string }[], opts: ResolveOptions): { localAuth: LocalAuth; remoteAuth: RemoteAuth } {
  const l = conn.local, r = conn.remote;
  const localKind = l.auth ?? (l.cert !== undefined || l.key !== undefined ? "pubkey" : "psk");
  const remoteKind = r.auth ?? (r.cacerts !== undefined ? "pubkey" : conn.psk !== undefined ? "psk" : localKind);
  if ((localKind === "psk" || remoteKind === "psk") && conn.psk === undefined) {
    const who = localKind === "psk" && remoteKind === "psk" ? "" : localKind === "psk" ? " (local.auth is psk)" : " (remote.auth is psk)";
    issues.push({ path: `${base}.psk`, message: `required (a string)${who}; for certificates set local.cert, local.key and remote.cacerts` });
  }
  let localAuth: LocalAuth = { kind: "psk" };
  if (localKind === "pubkey") {
    let chain: Certificate[] | undefined, key: SigPrivateKey | undefined;
    if (l.cert === undefined) issues.push({ path: `${base}.local.cert`, message: "required (PEM text of our certificate, leaf first) when local.auth is pubkey" });
    else {
      try { chain = parseCertificates(l.cert); } catch (e) { issues.push({ path: `${base}.local.cert`, message: (e as Error).message }); }
    }
    if (l.key === undefined) issues.push({ path: `${base}.local.key`, message: "required (PEM text of our private key) when local.auth is pubkey" });
    else {
      try { key = parsePrivateKey(l.key); } catch (e) { issues.push({ path: `${base}.local.key`, message: (e as Error).message }); }
    }
    if (chain && key) {
      const problems = opts.now !== undefined ? checkLocalCredential(chain, key, opts.now) : localProblemsWithoutDates(chain, key);
      for (const p of problems) issues.push({ path: /^private key/.test(p) ? `${base}.local.key` : `${base}.local.cert`, message: p });
      localAuth = { kind: "pubkey", chain, key, classic: l.signature === "classic", rsaPadding: l.rsaPadding, sendCert: l.sendCert };
    }
  } else if (l.cert !== undefined || l.key !== undefined) {
    issues.push({ path: `${base}.local.auth`, message: "is psk, but local.cert/local.key are set: remove them or set auth: pubkey" });
  }
  let remoteAuth: RemoteAuth = { kind: "psk" };
  if (remoteKind === "pubkey") {
    const anchors: Certificate[] = [];
    const cas = list(r.cacerts);
    if (!cas.length) issues.push({ path: `${base}.remote.cacerts`, message: "required (PEM text of the CA certificates we trust) when remote.auth is pubkey" });
    cas.forEach((text, i) => {
      const path = typeof r.cacerts === "string" ? `${base}.remote.cacerts` : `${base}.remote.cacerts[${i}]`;
      try { anchors.push(...parseCertificates(text)); } catch (e) { issues.push({ path, message: (e as Error).message }); }
    });
    const crls: Crl[] = [];
    list(r.crls).forEach((text, i) => {
      const path = typeof r.crls === "string" ? `${base}.remote.crls` : `${base}.remote.crls[${i}]`;
      try { crls.push(parseCrl(text)); } catch (e) { issues.push({ path, message: (e as Error).message }); }
    });
    remoteAuth = { kind: "pubkey", anchors, crls, sendCertReq: r.sendCertReq };
  } else if (r.cacerts !== undefined) {
    issues.push({ path: `${base}.remote.auth`, message: "is psk, but remote.cacerts is set: remove it or set auth: pubkey" });
  }
  return { localAuth, remoteAuth };
}

/** checkLocalCredential without the validity dates (no wall-clock time given). */
function localProblemsWithoutDates(chain: Certificate[], key: SigPrivateKey): string[] {
  const out: string[] = [];
  const mismatch = checkKeyMatchesCertificate(key, chain[0]);
  if (mismatch) out.push(mismatch);
  const leaf = chain[0];
  if (leaf.keyUsage && !leaf.keyUsage.has(KEY_USAGE.digitalSignature)) out.push(`certificate ${leaf.subjectText} lacks the digitalSignature key usage that IKE signatures need`);
  return out;
}

/** Resolves a child's selector strings against the addresses of an IKE SA ("dynamic"). */
export function resolveSelectors(list: string[], dynamicAddress: string): TrafficSelector[] {
  return list.map((t) => parseSelector(t, dynamicAddress));
}
