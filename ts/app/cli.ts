// Command lines of the gateway and the tunnel: one table of flags per program, from which both the
// parser (node:util parseArgs, present on Node, Deno and Bun) and the --help text are made.
import { parseArgs } from "node:util";
import type { ProgramKind } from "./config.ts";

export interface FlagSpec { name: string; short?: string; arg?: string; help: string; programs: ProgramKind[]; status?: boolean }

/** Every flag, in --help order. `status: true` flags belong to the `status` subcommand. */
export const FLAGS: FlagSpec[] = [
  { name: "config", short: "c", arg: "FILE", help: "configuration file, JSON (*.json) or YAML; see docs/config.md", programs: ["gateway", "tunnel"] },
  { name: "log-level", arg: "LEVEL", help: "debug, info, warn or error (overrides <program>.logLevel)", programs: ["gateway", "tunnel"] },
  { name: "provider", arg: "NAME", help: "crypto provider: wasm, native or js (overrides <program>.provider)", programs: ["gateway", "tunnel"] },
  { name: "status", arg: "ADDR:PORT", help: "status server on loopback (e.g. 127.0.0.1:8787), or \"off\" (overrides <program>.status)", programs: ["gateway", "tunnel"] },
  { name: "check", help: "validate the configuration file, print a summary and exit", programs: ["gateway", "tunnel"] },
  { name: "quiet", short: "q", help: "no plain-words progress on stderr (the JSON log on stdout stays)", programs: ["tunnel"] },
  { name: "help", short: "h", help: "show this help and exit", programs: ["gateway", "tunnel"] },
  { name: "url", arg: "URL", help: "status server to ask (default http://127.0.0.1:<default status port>)", programs: ["gateway", "tunnel"], status: true },
  { name: "json", help: "print the raw /status JSON instead of the table", programs: ["gateway", "tunnel"], status: true },
];

export const DEFAULT_STATUS_PORT: Record<ProgramKind, number> = { gateway: 8787, tunnel: 8788 };

export interface CliArgs {
  command: "run" | "status";
  help: boolean;
  config?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  provider?: "wasm" | "native" | "js";
  /** undefined: as configured; null: off. */
  status?: { address: string; port: number } | null;
  check: boolean;
  quiet: boolean;
  url: string;
  json: boolean;
}

export class UsageError extends Error { override readonly name = "UsageError"; }

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag}: "${v}" is not one of ${allowed.join(", ")}`);
  return v as T;
}

/** "off", "PORT", "ADDR:PORT" or "[V6]:PORT". */
function parseStatusFlag(v: string): { address: string; port: number } | null {
  if (v === "off") return null;
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([0-9.]+)|([0-9a-fA-F:]*::[0-9a-fA-F:]*)):(\d+)$/.exec(v) ?? /^()()()(\d+)$/.exec(v);
  if (!m) throw new UsageError(`--status: "${v}" is not ADDR:PORT, PORT or off`);
  const port = Number(m[4]);
  if (port > 65535) throw new UsageError(`--status: port ${port} is out of range`);
  return { address: m[1] || m[2] || m[3] || "127.0.0.1", port };
}

export function parseCli(kind: ProgramKind, argv: string[]): CliArgs {
  const specs = FLAGS.filter((f) => f.programs.includes(kind));
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const f of specs) options[f.name] = { type: f.arg ? "string" : "boolean", ...(f.short ? { short: f.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const pos = parsed.positionals;
  if (pos.length > 1 || (pos.length === 1 && pos[0] !== "status")) throw new UsageError(`unexpected argument "${pos.find((p) => p !== "status") ?? pos[1]}"`);
  const command = pos[0] === "status" ? "status" : "run";
  if (command === "run") {
    for (const f of specs) if (f.status && v[f.name] !== undefined) throw new UsageError(`--${f.name} belongs to the status subcommand: ${kind} status --${f.name} ...`);
  } else {
    for (const f of specs) if (!f.status && f.name !== "help" && v[f.name] !== undefined) throw new UsageError(`--${f.name} is not an option of "${kind} status"`);
  }
  return {
    command,
    help: v.help === true,
    config: v.config as string | undefined,
    logLevel: oneOf("log-level", v["log-level"] as string | undefined, ["debug", "info", "warn", "error"] as const),
    provider: oneOf("provider", v.provider as string | undefined, ["wasm", "native", "js"] as const),
    status: typeof v.status === "string" ? parseStatusFlag(v.status) : undefined,
    check: v.check === true,
    quiet: v.quiet === true,
    url: ((v.url as string | undefined) ?? `http://127.0.0.1:${DEFAULT_STATUS_PORT[kind]}`).replace(/\/+$/, ""),
    json: v.json === true,
  };
}

const RUN_COMMAND: Record<ProgramKind, Record<string, string>> = {
  gateway: { deno: "deno run --unstable-net -A runtimes/deno/gateway.ts", bun: "bun runtimes/bun/gateway.ts", node: "node dist/node/gateway.mjs" },
  tunnel: { deno: "deno run --unstable-net -A runtimes/deno/tunnel.ts", bun: "bun runtimes/bun/tunnel.ts", node: "node dist/node/tunnel.mjs" },
};

const ABOUT: Record<ProgramKind, string> = {
  gateway: "The skeyseed IKEv2 gateway: a responder for many peers (per-peer PSK or certificates, identities,\nproposals, traffic selectors and lifetimes from one file). Connections with start: true are initiated\nand kept up. With a gateway.tun section (root) it carries the traffic: ESP in UDP on the NAT-T port\nto and from a TUN device, with routes for the peers' traffic selectors.",
  tunnel: "The skeyseed edge tunnel: an IKEv2 initiator that brings its IKE SA and Child SAs up and keeps them\nup, reconnecting with exponential backoff when the peer goes away, and says in plain words what is wrong.\nWith a tunnel.tun section (root) it carries IP packets between a TUN device and the peer as ESP in UDP.",
};

export function helpText(kind: ProgramKind, runtime: "deno" | "bun" | "node"): string {
  const cmd = RUN_COMMAND[kind][runtime];
  const line = (f: FlagSpec) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${f.name}${f.arg ? ` ${f.arg}` : ""}`;
    return `  ${left.padEnd(26)} ${f.help.replace("<program>", kind).replace("<default status port>", String(DEFAULT_STATUS_PORT[kind]))}`;
  };
  const specs = FLAGS.filter((f) => f.programs.includes(kind));
  return [
    `Usage: ${cmd} --config FILE [options]`,
    `       ${cmd} status [--url URL] [--json]`,
    "",
    ABOUT[kind],
    "",
    "Options:",
    ...specs.filter((f) => !f.status).map(line),
    "",
    "status subcommand (prints the SAs like swanctl --list-sas):",
    ...specs.filter((f) => f.status).map(line),
    "",
    "Configuration reference: docs/config.md (--check validates a file).",
    "",
    `Logs are JSON lines on stdout (time, level, event, sa, peer, reason, ...).${kind === "tunnel" ? " Progress and problems are\nalso told in plain words on stderr." : ""} SIGINT/SIGTERM close every SA (the peers are told),\nwait up to ${kind}.shutdownGrace seconds for their answers, and exit. Exit codes: 0 ok, 1 runtime failure,\n2 bad command line or configuration.`,
    "",
  ].join("\n");
}
