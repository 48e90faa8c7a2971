// Loads a gateway or tunnel configuration file: JSON or YAML text (read by the host), a `gateway:` or
// `tunnel:` section for the program, the rest an EndpointInput for resolveConfig. Every problem is
// reported as "file:line: field.path: message", so an operator can go straight to it.
import { z } from "zod";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError, resolveConfig, type EndpointConfig } from "../engine/config.ts";
import type { LogLevel } from "../engine/types.ts";
import { parseIp, parseRange } from "../util/ip.ts";

export type ProgramKind = "gateway" | "tunnel";

/** Problems found in a configuration file, one line each with the file and the field. */
export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError";
  constructor(readonly file: string, readonly issues: { path: string; message: string; line?: number }[]) {
    super(`invalid configuration in ${file}:\n` + issues.map((i) => `  ${file}${i.line ? `:${i.line}` : ""}: ${i.path || "(top level)"}: ${i.message}`).join("\n"));
  }
}

const isLoopback = (ip: string) => ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
const ipAddress = z.string().refine((s) => parseIp(s) !== undefined, "not an IPv4 or IPv6 address");
const port = z.number().int().min(0, "0 (ephemeral) or 1-65535").max(65535, "0 (ephemeral) or 1-65535");

const StatusSection = (defaults: { enabled: boolean; port: number }) =>
  z.object({
    /** Serve /status and /metrics over HTTP. */
    enabled: z.boolean().default(defaults.enabled),
    /** Loopback only: the status server has no authentication. */
    address: ipAddress.refine(isLoopback, "the status server listens on loopback only (127.0.0.1 or ::1)").default("127.0.0.1"),
    port: port.default(defaults.port),
  }).strict().prefault({});

const cidr = z.string().refine((t) => t.includes("/") && parseRange(t) !== undefined, "expected an address with a prefix length, e.g. 10.1.0.1/24 or fd00::1/64");

/**
 * The data plane: a TUN device that carries the Child SAs' traffic as ESP in UDP (RFC 3948). Needs root
 * (or CAP_NET_ADMIN) and /dev/net/tun. Without this section the program negotiates SAs but carries no traffic.
 */
const TunSection = z.object({
  /** Device name (at most 15 characters); the kernel picks tunN when absent. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, "1-15 characters of A-Z a-z 0-9 _ . -").optional(),
  /** Inner MTU: 1400 leaves room for IPv4 + UDP + ESP (up to 73 bytes) inside a 1500-byte path. */
  mtu: z.number().int().min(576, "at least 576").max(9000, "at most 9000").default(1400),
  /** Addresses for the device (CIDR), e.g. the inner address this side's local selectors cover. */
  addresses: z.array(cidr).default([]),
  /** "auto": a route into the device for each negotiated remote selector while its Child SA is up; or a fixed list. */
  routes: z.union([z.literal("auto"), z.array(cidr)]).default("auto"),
  /** RFC 3948 §4: seconds between NAT-keepalives when we are behind a NAT (0 = none). */
  keepalive: z.number().min(0).max(3600).default(20),
  /** RFC 4303 §3.4.3 anti-replay window, in packets. */
  replayWindow: z.number().int().min(64, "at least 64").max(65536, "at most 65536").default(1024),
}).strict();

const common = {
  tun: TunSection.optional(),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  provider: z.enum(["wasm", "native", "js"]).default("wasm"),
  /** Seconds to wait for the peers to answer our Deletes on SIGINT/SIGTERM. */
  shutdownGrace: z.number().min(0).max(60).default(3),
  /** Debugging only: append session keys to <dir>/ikev2_decryption_table and <dir>/esp_sa (Wireshark). */
  keyLogDir: z.string().min(1).optional(),
};

const GatewaySection = z.object({
  /** Addresses to listen on; each gets the IKE port and the NAT-T port. */
  listen: z.array(ipAddress).min(1, "at least one address").default(["0.0.0.0"]),
  port: port.default(500),
  nattPort: port.default(4500),
  status: StatusSection({ enabled: true, port: 8787 }),
  ...common,
}).strict().prefault({});

const TunnelSection = z.object({
  /** Addresses to bind; default: each connection's local.address, else the wildcard of its peer's family. */
  listen: z.array(ipAddress).min(1, "at least one address").optional(),
  port: port.default(0),
  nattPort: port.default(0),
  reconnect: z.object({
    /** First retry after this many seconds; each further retry waits `factor` times longer, up to `max`. */
    initial: z.number().positive().default(1),
    max: z.number().positive().default(60),
    factor: z.number().min(1).default(2),
    /** Fraction of each delay taken off at random (0..1), so many tunnels do not retry in step. */
    jitter: z.number().min(0).max(1).default(0.2),
  }).strict().prefault({}),
  status: StatusSection({ enabled: false, port: 8788 }),
  ...common,
}).strict().prefault({});

export interface ProgramSettings {
  listen: string[];
  port: number;
  nattPort: number;
  status: { enabled: boolean; address: string; port: number };
  logLevel: LogLevel;
  provider: "wasm" | "native" | "js";
  shutdownGraceMs: number;
  keyLogDir?: string;
  reconnect: { initialMs: number; maxMs: number; factor: number; jitter: number };
  /** The data plane's TUN device; absent: SAs only, no traffic. */
  tun?: TunSettings;
}

export interface TunSettings { name?: string; mtu: number; addresses: string[]; routes: "auto" | string[]; keepaliveMs: number; replayWindow: number }

export interface LoadedConfig {
  file: string;
  program: ProgramSettings;
  /** The endpoint configuration; `ports` are the configured ones (0 = ephemeral, fixed after binding). */
  endpoint: EndpointConfig;
  /** Connections to initiate at start and keep up. */
  keep: string[];
  /** The proposals as written (undefined: the default), for messages that say what we offered. */
  offers: Record<string, { ike?: string; esp: Record<string, string | undefined> }>;
}

type Seg = string | number;
function segments(path: string): Seg[] {
  const out: Seg[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}
function pathText(path: PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

/** Parses file text: JSON for *.json, YAML otherwise. Returns the value and a field -> line lookup. */
function parseText(file: string, text: string): { value: unknown; lineOf: (path: string) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  let value: unknown;
  if (/\.json$/i.test(file)) {
    try { value = JSON.parse(text); } catch (e) {
      throw new ConfigFileError(file, [{ path: "", message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }]);
    }
  } else {
    if (doc.errors.length) {
      throw new ConfigFileError(file, doc.errors.map((e) => ({ path: "", line: e.linePos?.[0].line, message: `not valid YAML: ${e.message.split("\n")[0]}` })));
    }
    value = doc.toJS();
  }
  const lineOf = (path: string): number | undefined => {
    if (doc.errors.length) return undefined;
    // The deepest node that exists along the path: a missing field points at its parent.
    const segs = segments(path);
    for (let n = segs.length; n >= 0; n--) {
      const node = doc.getIn(segs.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) {
        const p = lineCounter.linePos(node.range[0]);
        return p.line || undefined;
      }
    }
    return undefined;
  };
  return { value, lineOf };
}

/**
 * Fields naming files the program reads (the engine takes their text): per connection
 * `local.certFile` → `local.cert`, `local.keyFile` → `local.key`, `remote.cacertFiles` →
 * `remote.cacerts`, `remote.crlFiles` → `remote.crls` (one path or a list).
 */
const FILE_FIELDS = [
  { side: "local", file: "certFile", text: "cert", many: false },
  { side: "local", file: "keyFile", text: "key", many: false },
  { side: "remote", file: "cacertFiles", text: "cacerts", many: true },
  { side: "remote", file: "crlFiles", text: "crls", many: true },
] as const;

/** A path relative to the configuration file's folder (absolute paths unchanged). */
export function resolveAgainst(configFile: string, path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  const slash = Math.max(configFile.lastIndexOf("/"), configFile.lastIndexOf("\\"));
  return slash >= 0 ? configFile.slice(0, slash + 1) + path : path;
}

interface FileRef { field: string; path: string; resolved: string; conn: number; side: "local" | "remote"; text: string; index?: number }

function fileRefs(file: string, value: unknown): FileRef[] {
  const out: FileRef[] = [];
  const conns = value && typeof value === "object" ? (value as { connections?: unknown }).connections : undefined;
  if (!Array.isArray(conns)) return out;
  conns.forEach((c, ci) => {
    for (const f of FILE_FIELDS) {
      const side = c && typeof c === "object" ? (c as Record<string, unknown>)[f.side] : undefined;
      const v = side && typeof side === "object" ? (side as Record<string, unknown>)[f.file] : undefined;
      if (typeof v === "string") out.push({ field: `connections[${ci}].${f.side}.${f.file}`, path: v, resolved: resolveAgainst(file, v), conn: ci, side: f.side, text: f.text });
      else if (Array.isArray(v) && f.many) v.forEach((p, i) => { if (typeof p === "string") out.push({ field: `connections[${ci}].${f.side}.${f.file}[${i}]`, path: p, resolved: resolveAgainst(file, p), conn: ci, side: f.side, text: f.text, index: i }); });
    }
  });
  return out;
}

/**
 * The files a configuration names (certificates, keys, trust anchors, CRLs), resolved against the
 * configuration file's folder, for the host to read before loadConfig. Empty when the text does not parse.
 */
export function referencedFiles(file: string, text: string): string[] {
  let value: unknown;
  try { value = parseText(file, text).value; } catch { return []; }
  return [...new Set(fileRefs(file, value).map((r) => r.resolved))];
}

export interface LoadOptions {
  /** Contents of the files named by the configuration (referencedFiles), or the error reading each. */
  files?: ReadonlyMap<string, string | Error>;
  /** Wall-clock time (ms since the epoch): our own certificates must be valid at it. */
  now?: number;
}

/**
 * Validates a configuration file for `kind`. `file` is the path shown in messages; `text` its
 * contents; `opts.files` the files it names, read by the host. Throws ConfigFileError listing every bad field.
 */
export function loadConfig(kind: ProgramKind, file: string, text: string, opts: LoadOptions = {}): LoadedConfig {
  const { value, lineOf } = parseText(file, text);
  // Engine paths that came from a file field: their problems are shown at that field, with the file.
  const fromFile = new Map<string, FileRef>();
  const fail = (issues: { path: string; message: string }[]): never => {
    throw new ConfigFileError(file, issues.map((i) => {
      const ref = fromFile.get(i.path);
      const path = ref ? ref.field : i.path;
      return { path, message: ref ? `${ref.path}: ${i.message}` : plainMessage(i.message), line: lineOf(path) };
    }));
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail([{ path: "", message: "expected a mapping with `connections:` (and an optional `" + kind + ":` section)" }]);
  const { [kind]: section, ...rest } = value as Record<string, unknown>;
  const other: ProgramKind = kind === "gateway" ? "tunnel" : "gateway";
  const issues: { path: string; message: string }[] = [];
  if (other in rest) issues.push({ path: other, message: `a ${other} section in a ${kind} file: did you mean \`${kind}:\`?` });
  if ("ports" in rest) issues.push({ path: "ports", message: `set ${kind}.port and ${kind}.nattPort instead` });
  const keyLogDir = section && typeof section === "object" ? (section as { keyLogDir?: unknown }).keyLogDir : undefined;
  if (rest.keyLog === true && !keyLogDir) issues.push({ path: "keyLog", message: `the keys need somewhere to go: set ${kind}.keyLogDir` });
  if (keyLogDir) rest.keyLog = true;
  // The data plane receives ESP only inside UDP (no raw ESP sockets in user space): always encapsulate.
  const hasTun = !!(section && typeof section === "object" && (section as { tun?: unknown }).tun);
  if (hasTun && rest.forceEncap === false) issues.push({ path: "forceEncap", message: `${kind}.tun carries ESP in UDP only: remove forceEncap: false` });
  if (hasTun) rest.forceEncap = true;
  delete rest[other];
  delete rest.ports;
  issues.push(...inlineFiles(file, rest, opts.files, fromFile));

  const parsed = (kind === "gateway" ? GatewaySection : TunnelSection).safeParse(section);
  if (!parsed.success) for (const i of parsed.error.issues) issues.push({ path: pathText([kind, ...i.path]), message: i.message });
  const s = parsed.success ? parsed.data : undefined;
  if (s && s.port !== 0 && s.port === s.nattPort) issues.push({ path: `${kind}.nattPort`, message: "must differ from port" });

  // The tunnel initiates every connection unless told otherwise.
  if (kind === "tunnel" && Array.isArray(rest.connections)) {
    rest.connections = rest.connections.map((c) => (c && typeof c === "object" && !("start" in c) ? { ...c, start: true } : c));
  }
  let endpoint: EndpointConfig | undefined;
  try {
    // Ports are validated here (1-65535) and replaced by the bound ones later.
    endpoint = resolveConfig({ ...rest, ports: { ike: s?.port || 500, natt: s?.nattPort || 4500 } }, { now: opts.now });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length || !s || !endpoint) return fail(issues);
  const keep = endpoint.connections.filter((c) => c.start).map((c) => c.name);
  if (kind === "tunnel" && keep.length === 0) fail([{ path: "connections", message: "a tunnel needs at least one connection to initiate (start: true and remote.address)" }]);

  const listen = "listen" in s && s.listen ? s.listen : defaultListen(endpoint);
  const reconnect = "reconnect" in s ? s.reconnect : { initial: 1, max: 60, factor: 2, jitter: 0.2 };
  const offers: LoadedConfig["offers"] = {};
  for (const c of rest.connections as { name: string; ike?: { proposals?: string }; children?: { name: string; esp?: string }[] }[]) {
    offers[c.name] = { ike: c.ike?.proposals, esp: Object.fromEntries((c.children ?? []).map((ch) => [ch.name, ch.esp])) };
  }
  return {
    file,
    endpoint,
    keep,
    offers,
    program: {
      listen, port: s.port, nattPort: s.nattPort, status: s.status, logLevel: s.logLevel, provider: s.provider,
      shutdownGraceMs: s.shutdownGrace * 1000, keyLogDir: s.keyLogDir,
      reconnect: { initialMs: reconnect.initial * 1000, maxMs: reconnect.max * 1000, factor: reconnect.factor, jitter: reconnect.jitter },
      ...(s.tun ? { tun: { name: s.tun.name, mtu: s.tun.mtu, addresses: s.tun.addresses, routes: s.tun.routes, keepaliveMs: s.tun.keepalive * 1000, replayWindow: s.tun.replayWindow } } : {}),
    },
  };
}

/**
 * Replaces each file field by the text the host read (certFile → cert...), in place on a copy of each
 * connection; returns the problems (unreadable file, both forms given) at the file field.
 */
function inlineFiles(file: string, rest: Record<string, unknown>, files: ReadonlyMap<string, string | Error> | undefined, fromFile: Map<string, FileRef>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (!Array.isArray(rest.connections)) return issues;
  const refs = fileRefs(file, rest);
  const conns = (rest.connections as Record<string, unknown>[]).map((c) => ({ ...c }));
  rest.connections = conns;
  for (const f of FILE_FIELDS) {
    for (const [ci, c] of conns.entries()) {
      if (!c || typeof c !== "object" || !c[f.side] || typeof c[f.side] !== "object") continue;
      const side = { ...(c[f.side] as Record<string, unknown>) };
      if (!(f.file in side)) continue;
      const raw = side[f.file];
      const mine = refs.filter((r) => r.conn === ci && r.field.startsWith(`connections[${ci}].${f.side}.${f.file}`));
      if (f.text in side) issues.push({ path: `connections[${ci}].${f.side}.${f.file}`, message: `give ${f.side}.${f.text} or ${f.side}.${f.file}, not both` });
      const texts: string[] = [];
      for (const r of mine) {
        const got = files?.get(r.resolved);
        if (got === undefined) { issues.push({ path: r.field, message: `${r.path}: not read` }); continue; }
        if (got instanceof Error) { issues.push({ path: r.field, message: `cannot read ${r.path}: ${got.message}` }); continue; }
        fromFile.set(`connections[${ci}].${f.side}.${f.text}${f.many ? `[${texts.length}]` : ""}`, r);
        texts.push(got);
      }
      delete side[f.file];
      if (!(typeof raw === "string" || (f.many && Array.isArray(raw) && raw.every((x) => typeof x === "string")))) {
        issues.push({ path: `connections[${ci}].${f.side}.${f.file}`, message: f.many ? "expected a path or a list of paths" : "expected a path" });
      }
      if (texts.length) side[f.text] = f.many ? texts : texts[0];
      c[f.side] = side;
    }
  }
  return issues;
}

/** zod's wording for a missing field, said the way an operator reads it. */
function plainMessage(m: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(m);
  return missing ? `required (${missing[1] === "array" ? "a list" : missing[1] === "object" ? "a mapping" : `a ${missing[1]}`})` : m;
}

/** An initiator binds each connection's local address, or the wildcard of its peer's address family. */
function defaultListen(c: EndpointConfig): string[] {
  const set = new Set<string>();
  for (const conn of c.connections) set.add(conn.localAddress ?? (conn.remoteAddress?.includes(":") ? "::" : "0.0.0.0"));
  return set.size ? [...set] : ["0.0.0.0"];
}
