// The strongSwan lab: two network namespaces joined by a veth pair, a charon daemon in each,
// tcpdump captures, all torn down afterwards. Used to record fixtures and, later, to run
// skeyseed against strongSwan. Needs root and scripts/install-interop-deps.sh.
//
// Usage (plain Node ESM; every call is async):
//
//   import { createLab } from "./test/interop/lab.mjs";
//   const lab = await createLab({ name: "demo" });          // namespaces lab.nsA, lab.nsB
//   try {
//     const confA = lab.writeConfig("a", "gcm-ecp256");      // renders test/interop/scenarios/gcm-ecp256/*
//     const confB = lab.writeConfig("b", "gcm-ecp256");
//     const cap = await lab.capture(lab.nsA, lab.ifA);       // tcpdump, UDP 500/4500 only
//     const moon = await lab.startCharon(lab.nsA, confA);    // { vici, logFile, pid, stop() }
//     const sun = await lab.startCharon(lab.nsB, confB);
//     await lab.swanctl(moon, ["--load-all"]);               // --file <confDir>/swanctl.conf is added
//     await lab.swanctl(sun, ["--load-all"]);
//     await lab.swanctl(moon, ["--initiate", "--child", "gcm-ecp256"]);
//     await lab.exec(lab.nsA, ["ip", "-br", "addr"]);        // { code, stdout, stderr }; throws when code != 0
//     const pcap = await cap.stop();
//   } finally { await lab.destroy(); }                       // also runs on exit, SIGINT, SIGTERM
//
// Addresses: the veth carries addrA/addrB (198.18.0.1/.2, /24) and addr6A/addr6B (fd00:5eed::1/::2,
// /64); innerA/innerB (198.19.1.1, 198.19.2.1) and inner6A/inner6B (fd00:5eed:1::1, fd00:5eed:2::1)
// sit on each namespace's loopback as tunnel end points. No namespace has a default route, so no
// packet can leave 198.18.0.0/15 and fd00::/8. Names are `sks-<pid36>-<n>-a|b`, so parallel labs never
// collide; createLab() first removes stale labs whose process has died.
//
// Each charon runs as `ip netns exec NS unshare -m` with a private directory bind-mounted over /run
// (charon insists on /run/charon.pid), its own strongswan.conf (STRONGSWAN_CONF), its own vici socket
// and a filelog with ike/chd at level 4, which prints SKEYSEED, SK_* and the Child SA keys. ESP runs
// in user space (kernel-libipsec, TUN device ipsec0): the kernel needs no XFRM.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Found from the project root, so that the module also works bundled (the test runner bundles it for Node).
export const INTEROP_DIR = (() => {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "test", "interop", "scenarios"))) return join(d, "test", "interop");
    if (dirname(d) === d) throw new Error("lab: cannot find test/interop from " + import.meta.url);
  }
})();
export const SCENARIOS_DIR = join(INTEROP_DIR, "scenarios");
const TEMPLATES_DIR = join(INTEROP_DIR, "templates");
const CHARON = "/usr/lib/ipsec/charon";
const LAB_ROOT = "/tmp";
const NAME_RE = /^sks-([0-9a-z]+)-(\d+)-[ab]$/;

export const ADDRESSES = Object.freeze({
  addrA: "198.18.0.1", addrB: "198.18.0.2", prefix: 24,
  addr6A: "fd00:5eed::1", addr6B: "fd00:5eed::2", prefix6: 64,
  innerA: "198.19.1.1", innerB: "198.19.2.1",
  inner6A: "fd00:5eed:1::1", inner6B: "fd00:5eed:2::1",
});

let labCounter = 0;
const liveLabs = new Set();

/** Runs argv (or `sh -c string`) on the host; resolves { code, stdout, stderr }. */
export function run(argv, { check = true, env, timeoutMs = 60_000, input } = {}) {
  if (typeof argv === "string") argv = ["sh", "-c", argv];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: env ? { ...process.env, ...env } : process.env, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const res = { code: code ?? 128, signal, stdout, stderr };
      if (check && code !== 0) reject(new Error(`${argv.join(" ")} exited ${code ?? signal}: ${stderr.trim() || stdout.trim()}`));
      else resolve(res);
    });
    if (input !== undefined) { child.stdin.on("error", () => {}); child.stdin.end(input); }
  });
}

/** `{{NAME}}` placeholders; an unknown name is an error (a typo would silently break a config). */
export function renderTemplate(text, vars) {
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, k) => {
    if (!(k in vars)) throw new Error(`template: no value for {{${k}}}`);
    return String(vars[k]);
  });
}

export function loadScenario(name) {
  const dir = join(SCENARIOS_DIR, name);
  const scenario = JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8"));
  return { ...scenario, name, dir };
}

export function listScenarios() {
  return readdirSync(SCENARIOS_DIR).filter((d) => existsSync(join(SCENARIOS_DIR, d, "scenario.json"))).sort();
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** Deletes namespaces and lab folders left by labs whose process is gone. */
export function cleanStaleLabs() {
  let names = [];
  try { names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]); } catch { return; }
  for (const ns of names) {
    const m = NAME_RE.exec(ns);
    if (!m || pidAlive(parseInt(m[1], 36))) continue;
    killNamespace(ns);
  }
  for (const d of readdirSync(LAB_ROOT)) {
    const m = /^sks-([0-9a-z]+)-(\d+)$/.exec(d);
    if (m && !pidAlive(parseInt(m[1], 36))) rmSync(join(LAB_ROOT, d), { recursive: true, force: true });
  }
}

// Ends the processes still inside one of our namespaces (by pid), then deletes it.
function killNamespace(ns) {
  try {
    const pids = execFileSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  } catch { /* namespace already gone */ }
  try { execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" }); } catch { /* already gone */ }
}

function destroyAllSync() {
  for (const lab of liveLabs) lab.destroySync();
}
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", destroyAllSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => { destroyAllSync(); process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1)); });
  }
}

/**
 * Creates the two namespaces and the veth pair. Options: name (label for logs), keep (leave the
 * lab folder in /tmp after destroy, for debugging).
 */
export async function createLab({ name = "lab", keep = false } = {}) {
  if (process.getuid?.() !== 0) throw new Error("lab: needs root (network namespaces, tcpdump)");
  if (!existsSync(CHARON)) throw new Error(`lab: ${CHARON} missing; run scripts/install-interop-deps.sh`);
  cleanStaleLabs();
  installExitHooks();
  const id = `sks-${process.pid.toString(36)}-${labCounter++}`;
  const nsA = `${id}-a`, nsB = `${id}-b`;
  const ifA = `sks${process.pid.toString(36)}${labCounter - 1}a`, ifB = ifA.slice(0, -1) + "b";
  const dir = join(LAB_ROOT, id);
  mkdirSync(dir, { recursive: true });
  const A = ADDRESSES;
  const charons = new Set(), captures = new Set();
  let destroyed = false;

  const lab = {
    name, id, dir, nsA, nsB, ifA, ifB, ...A,
    /** Runs argv (array) or a shell string inside namespace ns. */
    exec(ns, cmd, opts) {
      const argv = typeof cmd === "string" ? ["sh", "-c", cmd] : cmd;
      return run(["ip", "netns", "exec", ns, ...argv], opts);
    },
    /**
     * Renders the scenario's swanctl.conf and the shared strongswan.conf (plus the scenario's
     * strongswan.extra.conf, if any) for side "a" (moon, the initiator) or "b" (sun) into a fresh
     * folder; returns that folder. `extraVars` override or add template variables.
     */
    writeConfig(side, scenarioName, extraVars = {}) {
      const sc = loadScenario(scenarioName);
      const confDir = join(dir, `${side}-${scenarioName}`);
      mkdirSync(join(confDir, "run"), { recursive: true });
      const me = side === "a" ? "A" : "B", peer = side === "a" ? "B" : "A";
      const vars = {
        SIDE: side, CONF_DIR: confDir,
        VICI: `unix://${join(confDir, "charon.vici")}`, LOG_FILE: join(confDir, "charon.log"),
        LOCAL_ADDR: A[`addr${me}`], REMOTE_ADDR: A[`addr${peer}`],
        LOCAL_ADDR6: A[`addr6${me}`], REMOTE_ADDR6: A[`addr6${peer}`],
        LOCAL_INNER: A[`inner${me}`], REMOTE_INNER: A[`inner${peer}`],
        LOCAL_INNER6: A[`inner6${me}`], REMOTE_INNER6: A[`inner6${peer}`],
        LOCAL_ID: sc.identities[side], REMOTE_ID: sc.identities[side === "a" ? "b" : "a"],
        IKE_PROPOSALS: sc.ike.proposals, ESP_PROPOSALS: sc.esp.proposals, PSK: sc.psk,
        CONN: sc.name, STRONGSWAN_EXTRA: "",
        ...(sc.vars?.[side] ?? {}),
        ...extraVars,
      };
      const extra = join(sc.dir, "strongswan.extra.conf");
      if (existsSync(extra)) vars.STRONGSWAN_EXTRA = renderTemplate(readFileSync(extra, "utf8"), vars);
      const ssTemplate = existsSync(join(sc.dir, "strongswan.conf")) ? join(sc.dir, "strongswan.conf") : join(TEMPLATES_DIR, "strongswan.conf");
      writeFileSync(join(confDir, "strongswan.conf"), renderTemplate(readFileSync(ssTemplate, "utf8"), vars));
      writeFileSync(join(confDir, "swanctl.conf"), renderTemplate(readFileSync(join(sc.dir, "swanctl.conf"), "utf8"), vars));
      return confDir;
    },
    /** Starts charon in ns with confDir/strongswan.conf; resolves once its vici socket answers. */
    async startCharon(ns, confDir) {
      const runDir = join(confDir, "run");
      mkdirSync(runDir, { recursive: true });
      const vici = `unix://${join(confDir, "charon.vici")}`;
      const logFile = join(confDir, "charon.log");
      const child = spawn("ip", ["netns", "exec", ns, "unshare", "-m", "sh", "-c",
        `mount --bind "$0" /run && exec ${CHARON}`, runDir],
        { env: { ...process.env, STRONGSWAN_CONF: join(confDir, "strongswan.conf") }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d) => { output += d; });
      child.stderr.on("data", (d) => { output += d; });
      const exited = new Promise((r) => child.on("close", (code, sig) => r(code ?? sig)));
      const charon = {
        ns, confDir, vici, logFile, pid: child.pid,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const done = await Promise.race([exited, sleep(5000).then(() => "timeout")]);
            if (done === "timeout") { child.kill("SIGKILL"); await exited; }
          }
          charons.delete(charon);
        },
      };
      charons.add(charon);
      for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`charon in ${ns} exited at start: ${output.trim()}`);
        if (existsSync(join(confDir, "charon.vici"))) {
          const r = await lab.swanctl(charon, ["--stats"], { check: false });
          if (r.code === 0) return charon;
        }
        await sleep(100);
      }
      await charon.stop();
      throw new Error(`charon in ${ns} did not answer on ${vici}: ${output.trim()}`);
    },
    /** swanctl against one charon. --load-* commands get --file <confDir>/swanctl.conf. */
    swanctl(charon, args, opts = {}) {
      const extra = /^--load/.test(args[0] ?? "") && !args.includes("--file") ? ["--file", join(charon.confDir, "swanctl.conf")] : [];
      return run(["swanctl", ...args, ...extra, "--uri", charon.vici],
        { env: { STRONGSWAN_CONF: join(charon.confDir, "strongswan.conf") }, ...opts });
    },
    /** tcpdump on iface inside ns (UDP 500 and 4500 by default); stop() resolves the pcap path. */
    async capture(ns, iface, { filter = "udp port 500 or udp port 4500", file } = {}) {
      const pcapPath = file ?? join(dir, `${iface}-${captures.size}.pcap`);
      const child = spawn("ip", ["netns", "exec", ns, "tcpdump", "-i", iface, "--immediate-mode", "-U", "-n", "-Z", "root", "-s", "0", "-w", pcapPath, filter],
        { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      const exited = new Promise((r) => child.on("close", r));
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
        child.stderr.on("data", (d) => { err += d; if (/listening on/.test(err)) { clearTimeout(timer); resolve(); } });
        child.on("close", () => { clearTimeout(timer); reject(new Error(`tcpdump exited: ${err}`)); });
      });
      const cap = {
        pcapPath, pid: child.pid,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) { child.kill("SIGINT"); await exited; }
          captures.delete(cap);
          return pcapPath;
        },
      };
      captures.add(cap);
      return cap;
    },
    async destroy() {
      if (destroyed) return;
      for (const c of [...charons]) await c.stop().catch(() => {});
      for (const c of [...captures]) await c.stop().catch(() => {});
      lab.destroySync();
    },
    destroySync() {
      if (destroyed) return;
      destroyed = true;
      liveLabs.delete(lab);
      killNamespace(nsA);
      killNamespace(nsB);
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
  liveLabs.add(lab);

  try {
    const ip = (...a) => run(["ip", ...a]);
    await ip("netns", "add", nsA);
    await ip("netns", "add", nsB);
    await ip("link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    for (const [ns, ifc, me] of [[nsA, ifA, "A"], [nsB, ifB, "B"]]) {
      await ip("-n", ns, "link", "set", "lo", "up");
      await ip("-n", ns, "addr", "add", `${A[`addr${me}`]}/${A.prefix}`, "dev", ifc);
      await ip("-n", ns, "addr", "add", `${A[`addr6${me}`]}/${A.prefix6}`, "dev", ifc, "nodad");
      await ip("-n", ns, "addr", "add", `${A[`inner${me}`]}/32`, "dev", "lo");
      await ip("-n", ns, "addr", "add", `${A[`inner6${me}`]}/128`, "dev", "lo");
      await ip("-n", ns, "link", "set", ifc, "up");
    }
  } catch (e) {
    lab.destroySync();
    throw e;
  }
  return lab;
}
