// Typed configuration of an endpoint and its connections, validated with zod. Invalid input yields a
// ConfigError whose message names the field ("connections[0].ike.proposals: unknown algorithm keyword
// \"aes999\""). Times in the input are seconds (as in swanctl.conf); the engine works in milliseconds.
import { z } from "zod";
import { parseIdentity, type Identity } from "../config/identity.ts";
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
  mode: z.enum(["tunnel"]).default("tunnel"),
}).strict();

const ConnectionInput = z.object({
  name: z.string().min(1),
  local: z.object({
    id: z.string().min(1),
    /** Our address for this connection (used by initiators; optional for responders). */
    address: z.string().optional(),
  }).strict(),
  remote: z.object({
    id: z.string().min(1).default("%any"),
    address: z.string().optional(),
    port: z.number().int().min(1).max(65535).default(500),
    /** The peer's NAT-T port (RFC 3948), used after NAT detection. */
    nattPort: z.number().int().min(1).max(65535).default(4500),
  }).strict().prefault({}),
  /** Pre-shared key: text, or hex with a 0x prefix. */
  psk: z.string().min(1, "the PSK must not be empty"),
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
}

export interface ConnectionConfig {
  name: string;
  localId: Identity;
  localAddress?: string;
  /** undefined = %any. */
  remoteId?: Identity;
  remoteAddress?: string;
  remotePort: number;
  remoteNattPort: number;
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

/** Validates and resolves an endpoint configuration; throws ConfigError naming every bad field. */
export function resolveConfig(input: unknown): EndpointConfig {
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
    const localId = attempt(`${base}.local.id`, () => parseIdentity(conn.local.id));
    const remoteId = conn.remote.id === "%any" ? undefined : attempt(`${base}.remote.id`, () => parseIdentity(conn.remote.id));
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
      return { name: ch.name, proposals, localTs: ch.localTs, remoteTs: ch.remoteTs, rekeyMs: ch.rekeyTime * 1000, lifeMs, jitter: ch.jitter, rekeyBytes: ch.rekeyBytes, rekeyPackets: ch.rekeyPackets };
    });
    if (conn.childless === "never" && children.length === 0) issues.push({ path: `${base}.children`, message: "childless: never needs at least one child" });
    return {
      name: conn.name, localId: localId!, localAddress: conn.local.address, remoteId, remoteAddress: conn.remote.address, remotePort: conn.remote.port, remoteNattPort: conn.remote.nattPort,
      psk: parsePsk(conn.psk), ikeProposals, ikeRekeyMs: conn.ike.rekeyTime * 1000,
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

/** Resolves a child's selector strings against the addresses of an IKE SA ("dynamic"). */
export function resolveSelectors(list: string[], dynamicAddress: string): TrafficSelector[] {
  return list.map((t) => parseSelector(t, dynamicAddress));
}
