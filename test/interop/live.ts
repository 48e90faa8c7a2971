// The live strongSwan interop harness: one lab (two namespaces, veth, test/interop/lab.mjs) per case,
// strongSwan's charon in namespace B (sun, 198.18.0.2), our side in namespace A (198.18.0.1): the
// Deno gateway, the Bun edge tunnel or the Node library (node-peer.ts). Both sides are read back:
// our JSON logs and `status` output, charon's log and `swanctl --list-sas`. A case that fails keeps
// its capture, our key log (Wireshark's ikev2_decryption_table and esp_sa), charon's log and our
// output under test/interop/out/<case>/.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../lib/harness.ts";
import { Proc, command, tempDir, writeFile, type Line, type Rt } from "../runtimes/procs.ts";
// @ts-ignore: plain JS lab tooling shared with scripts/record-strongswan.mjs
import { createLab, ADDRESSES } from "./lab.mjs";

export const OURS = ADDRESSES.addrA as string;
export const SUN = ADDRESSES.addrB as string;
export const OURS6 = ADDRESSES.addr6A as string;
export const SUN6 = ADDRESSES.addr6B as string;
export const OUR_ID = "skeyseed.example";
export const SUN_ID = "sun.example";
export const PSK = "skeyseed-live-interop-psk";
export const OUR_TS = `${ADDRESSES.innerA}/32`;
export const SUN_TS = `${ADDRESSES.innerB}/32`;
export const OUT_DIR = join(projectRoot, "test", "interop", "out");

/** The three proposals of the issue, with the ESP proposal each case negotiates (PFS on the first). */
export interface Suite { name: string; ike: string; esp: string; ours: RegExp; theirs: RegExp; espTheirs: RegExp }
export const SUITES: Suite[] = [
  { name: "aes128gcm16-prfsha256-ecp256", ike: "aes128gcm16-prfsha256-ecp256", esp: "aes128gcm16-ecp256",
    ours: /^aes128gcm16-prfsha256-ecp256$/, theirs: /AES_GCM_16-128\/PRF_HMAC_SHA2_256\/ECP_256/, espTheirs: /ESP:AES_GCM_16-128/ },
  { name: "aes256-sha256-modp2048", ike: "aes256-sha256-modp2048", esp: "aes256-sha256-modp2048",
    ours: /^aes256-sha256-prfsha256-modp2048$/, theirs: /AES_CBC-256\/HMAC_SHA2_256_128\/PRF_HMAC_SHA2_256\/MODP_2048/, espTheirs: /ESP:AES_CBC-256\/HMAC_SHA2_256_128/ },
  { name: "aes128-sha256-x25519", ike: "aes128-sha256-x25519", esp: "aes128-sha256",
    ours: /^aes128-sha256-prfsha256-x25519$/, theirs: /AES_CBC-128\/HMAC_SHA2_256_128\/PRF_HMAC_SHA2_256\/CURVE_25519/, espTheirs: /ESP:AES_CBC-128\/HMAC_SHA2_256_128/ },
];

/** Fails loudly when the lab cannot run here (the interop suite must not pass by skipping). */
export function requireLab(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (network namespaces)");
  for (const f of ["/usr/lib/ipsec/charon", "/usr/sbin/swanctl", "/usr/bin/tcpdump"]) if (!existsSync(f)) missing.push(f);
  if (missing.length) throw new Error(`strongSwan interop lab unavailable: missing ${missing.join(", ")}; run scripts/install-interop-deps.sh as root (.ci/run does)`);
}

export interface SwanSa { name: string; uid: number; state: string; spiI: string; spiR: string; text: string; children: { name: string; state: string; mode: string; spiIn: string; spiOut: string; proposal: string }[] }

/** Parses `swanctl --list-sas` text (strongSwan 5.9). */
export function parseListSas(text: string): SwanSa[] {
  const out: SwanSa[] = [];
  let cur: SwanSa | undefined;
  let child: SwanSa["children"][number] | undefined;
  for (const line of text.split("\n")) {
    let m = /^(\S+): #(\d+), (\w+), IKEv2, ([0-9a-f]{16})_i\*? ([0-9a-f]{16})_r/.exec(line);
    if (m) { cur = { name: m[1], uid: +m[2], state: m[3], spiI: m[4], spiR: m[5], text: line + "\n", children: [] }; out.push(cur); child = undefined; continue; }
    if (!cur) continue;
    cur.text += line + "\n";
    m = /^ {2}(\S+): #\d+, reqid \d+, (\w+), ([\w-]+), (ESP:\S+)/.exec(line);
    if (m) { child = { name: m[1], state: m[2], mode: m[3], proposal: m[4], spiIn: "", spiOut: "" }; cur.children.push(child); continue; }
    m = /^ {4}(in|out) +([0-9a-f]{8})/.exec(line);
    if (m && child) { if (m[1] === "in") child.spiIn = m[2]; else child.spiOut = m[2]; }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or `ms` pass; then throws with `what`. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ""}`);
    await sleep(250);
  }
}

export interface Lab {
  lab: any;
  charon: any;
  dir: string;
  ours?: Proc;
  swanctl(args: string[], opts?: { check?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  listSas(): Promise<SwanSa[]>;
  /** The text of the last `swanctl --list-sas`, for messages. */
  lastListSas: string;
  charonLog(): string;
  /** Starts one of our programs (or the Node library peer) in namespace A. */
  startOurs(rt: Rt, prog: "gateway" | "tunnel" | "node-peer", configFile: string): Proc;
  /** Runs our program's `status` subcommand in namespace A against its status server. */
  ourStatus(rt: Rt, prog: "gateway" | "tunnel", port: number, json?: boolean): Promise<string>;
}

const bin = (n: string) => join(projectRoot, "node_modules", ".bin", n);
let nodePeerBuilt: string | undefined;
/** test/interop/node-peer.ts bundled for Node (once per test process). */
export function nodePeer(): string {
  if (!nodePeerBuilt) {
    const out = join(projectRoot, ".build", "interop", "node-peer.mjs");
    mkdirSync(join(projectRoot, ".build", "interop"), { recursive: true });
    execFileSync(bin("esbuild"), ["test/interop/node-peer.ts", "--bundle", "--format=esm", "--platform=node", "--target=node20",
      "--packages=external", "--log-level=warning", `--outfile=${out}`], { cwd: projectRoot, stdio: "inherit" });
    nodePeerBuilt = out;
  }
  return nodePeerBuilt;
}

/**
 * Runs one case: a fresh lab with charon (scenario `live`, rendered with `vars`) and a capture on our
 * veth; `fn` starts our side. On failure the evidence is saved and the error names where.
 */
export async function withLab(name: string, vars: Record<string, string>, fn: (l: Lab) => Promise<void>): Promise<void> {
  requireLab();
  const lab = await createLab({ name });
  const dir = tempDir();
  let cap: any;
  let ours: Proc | undefined;
  const keep: string[] = [];
  try {
    const conf = lab.writeConfig("b", "live", { CONN: "live", ...vars });
    cap = await lab.capture(lab.nsA, lab.ifA);
    const charon = await lab.startCharon(lab.nsB, conf);
    const l: Lab = {
      lab, charon, dir,
      swanctl: (args, opts = {}) => lab.swanctl(charon, args, { check: opts.check ?? true, timeoutMs: opts.timeoutMs ?? 30_000 }),
      listSas: async () => { const t = (await lab.swanctl(charon, ["--list-sas"])).stdout; l.lastListSas = t; return parseListSas(t); },
      lastListSas: "",
      charonLog: () => (existsSync(charon.logFile) ? readFileSync(charon.logFile, "utf8") : ""),
      startOurs(rt, prog, configFile) {
        let cmd: [string, string[]];
        if (prog === "node-peer") cmd = ["node", [nodePeer(), configFile]];
        else cmd = command(rt, prog, ["--config", configFile]);
        ours = new Proc(`${rt} ${prog}`, ["ip", ["netns", "exec", lab.nsA, cmd[0], ...cmd[1]]], { stdin: prog === "node-peer" });
        l.ours = ours;
        return ours;
      },
      async ourStatus(rt, prog, port, json = false) {
        const [c, a] = command(rt, prog, ["status", "--url", `http://127.0.0.1:${port}`, ...(json ? ["--json"] : [])]);
        const r = await lab.exec(lab.nsA, [c, ...a], { check: false, timeoutMs: 20_000 });
        if (r.code !== 0) throw new Error(`${rt} ${prog} status exited ${r.code}: ${r.stderr}`);
        return r.stdout;
      },
    };
    await lab.swanctl(charon, ["--load-all"]);
    await fn(l);
  } catch (e) {
    // Keep what is needed to read the failure in Wireshark.
    const out = join(OUT_DIR, name.replace(/[^a-zA-Z0-9._-]+/g, "_"));
    try {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      if (ours) { ours.kill("SIGKILL"); await ours.exit(3000); writeFileSync(join(out, "ours.stdout.jsonl"), ours.stdout); writeFileSync(join(out, "ours.stderr.txt"), ours.stderr); }
      if (cap) copyFileSync(await cap.stop(), join(out, "capture.pcap"));
      for (const f of ["ikev2_decryption_table", "esp_sa"]) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(out, f));
      const charonLog = join(lab.dir, "b-live", "charon.log");
      if (existsSync(charonLog)) copyFileSync(charonLog, join(out, "charon.log"));
      keep.push(out);
    } catch { /* the original error matters more */ }
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${msg}\n(evidence for Wireshark saved in ${keep[0] ?? "nowhere: saving failed"}: the capture, our key log, charon's log and our output)`);
  } finally {
    ours?.kill("SIGKILL");
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export { writeFile, type Line };
