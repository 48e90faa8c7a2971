#!/usr/bin/env node
// bench:esp — TCP throughput (iperf3) through an IPsec tunnel between two network namespaces (the
// interop lab of test/interop/lab.mjs: A and B joined by a veth). "ours": our tunnel program
// (initiator) in A and our gateway program (responder) in B, both with a TUN device, the same runtime
// and crypto provider on both ends. The reference, in the same run: strongSwan's charon in A and in B
// (kernel-libipsec, ESP in user space like ours, UDP-encapsulated like ours). Writes
// bench/out/esp.json, esp.md, esp.svg.
//
//   node bench/esp-tunnel.mjs [--quick] [--runtimes node,deno,bun] [--providers wasm,native]
//        [--suites aes128gcm16,aes128-sha256] [--seconds S] [--rounds N] [--warm S] [--no-strongswan] [--keep-lab]
//
// Each measurement: bring the tunnel up (the Child SA negotiated, the routes in place, one ping
// through it), warm up (an iperf3 run of --warm seconds, not counted), then --rounds iperf3 runs of
// --seconds each (TCP, one stream, from A's inner address to B's), tear down. Reported: the
// receiver's Mbit/s, median of the rounds with min–max, and the ratio to strongSwan's median for the
// same suite; per round, the CPU time of the two tunnel processes (/proc/<pid>/stat) and of the rest
// of the machine. --quick: one suite (aes128gcm16), Bun with wasm and native, strongSwan, 2 rounds of 2 s (iperf3 takes whole seconds).
// Needs root, iperf3 and strongSwan (scripts/install-interop-deps.sh); without them it exits 2.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSeconds, machineBusySeconds } from "./procstat.mjs";
import { renderEspTunnel } from "./report-esptunnel.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes("--quick");
const list = (k, dflt) => (opt(k) ?? dflt).split(",").map((s) => s.trim()).filter(Boolean);
const runtimes = list("--runtimes", quick ? "bun" : "node,deno,bun");
const providers = list("--providers", "wasm,native");
const SUITES = {
  aes128gcm16: { esp: "aes128gcm16", label: "AES-GCM-128" },
  "aes128-sha256": { esp: "aes128-sha256", label: "AES-CBC-128 + HMAC-SHA256-128" },
};
const suites = list("--suites", quick ? "aes128gcm16" : "aes128gcm16,aes128-sha256");
const seconds = +(opt("--seconds") ?? (quick ? 2 : 5));
const rounds = +(opt("--rounds") ?? (quick ? 2 : 3));
const warmSeconds = +(opt("--warm") ?? 1);
const withStrongswan = !args.includes("--no-strongswan");
const usage = "usage: node bench/esp-tunnel.mjs [--quick] [--runtimes node,deno,bun] [--providers wasm,native] [--suites aes128gcm16,aes128-sha256] [--seconds S] [--rounds N] [--warm S] [--no-strongswan] [--keep-lab]";
const bad = [
  ...runtimes.filter((r) => !["node", "deno", "bun"].includes(r)).map((r) => `unknown runtime ${r}`),
  ...providers.filter((p) => !["wasm", "native", "js"].includes(p)).map((p) => `unknown provider ${p}`),
  ...suites.filter((s) => !SUITES[s]).map((s) => `unknown suite ${s} (${Object.keys(SUITES).join(", ")})`),
  ...(!(seconds > 0) || !(rounds >= 1) || !(warmSeconds >= 0) ? ["--seconds, --rounds and --warm must be positive numbers"] : []),
];
if (bad.length) { console.error(`bench:esp: ${bad.join("; ")}\n${usage}`); process.exit(2); }

// What this bench cannot run without: say so and stop (a benchmark with a missing half is not one).
const CHARON = "/usr/lib/ipsec/charon";
const has = (cmd, a) => { try { execFileSync(cmd, a, { stdio: "ignore" }); return true; } catch { return false; } };
const missing = [];
if (process.getuid?.() !== 0) missing.push("root (network namespaces, TUN devices)");
if (!has("iperf3", ["--version"])) missing.push("iperf3");
if (!has("ip", ["-V"])) missing.push("ip (iproute2)");
if (!existsSync(CHARON) || !has("sh", ["-c", "command -v swanctl"])) missing.push(`strongSwan (${CHARON}, swanctl; the namespaces of test/interop/lab.mjs need it too)`);
if (missing.length) {
  console.error(`bench:esp: cannot run: missing ${missing.join(", ")}.\nRun as root after scripts/install-interop-deps.sh (installs strongSwan, iperf3, tcpdump, tshark).`);
  process.exit(2);
}

const IKE = "aes128gcm16-prfsha256-x25519", PSK = "skeyseed bench:esp psk";
const ID_I = "init.bench", ID_R = "resp.bench";
const TUN = "sksesp0", IPERF_PORT = 5201;
const bin = (n) => join(root, "node_modules", ".bin", n);
const outDir = join(root, "bench", "out");
const buildDir = join(root, ".build", "bench-esp");
mkdirSync(outDir, { recursive: true });
mkdirSync(buildDir, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const msg = (e) => (e instanceof Error ? e.message : String(e));
const t0 = Date.now();

// ---------------------------------------------------------------- processes and CPU time

// Node runs no TypeScript: the programs are bundled as `npm run build` does (into .build/, not dist/).
function nodeProgram(prog) {
  const out = join(buildDir, `node-${prog}.mjs`);
  execFileSync(bin("esbuild"), [`runtimes/node/${prog}.ts`, "--bundle", "--format=esm", "--platform=node", "--target=node20",
    "--packages=external", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
  return out;
}
const nodePrograms = runtimes.includes("node") ? { gateway: nodeProgram("gateway"), tunnel: nodeProgram("tunnel") } : {};
function command(rt, prog, file) {
  if (rt === "deno") return [bin("deno"), "run", "--unstable-net", "-A", "--quiet", join(root, "runtimes", "deno", `${prog}.ts`), "--config", file];
  if (rt === "bun") return [bin("bun"), join(root, "runtimes", "bun", `${prog}.ts`), "--config", file];
  return [process.execPath, nodePrograms[prog], "--config", file];
}


/**
 * One of our programs inside namespace ns (`ip netns exec` execs it, so the pid is the runtime's).
 * Its JSON-lines log is kept; waitFor(pred) resolves with the first line that matches.
 */
function startProgram(name, ns, argv) {
  const child = spawn("ip", ["netns", "exec", ns, ...argv], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  let buf = "", stderr = "", waiters = [];
  const wake = () => { const w = waiters; waiters = []; for (const f of w) f(); };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buf += d;
    for (let nl; (nl = buf.indexOf("\n")) >= 0; buf = buf.slice(nl + 1)) {
      try { lines.push(JSON.parse(buf.slice(0, nl))); } catch { /* not a log line */ }
    }
    wake();
  });
  child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); wake(); });
  const exited = new Promise((r) => child.on("close", (code, sig) => { wake(); r(code ?? sig); }));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const tail = () => `${lines.slice(-8).map((l) => JSON.stringify(l)).join("\n")}\n${stderr.trim()}`.trim();
  return {
    name, pid: child.pid, lines,
    async waitFor(pred, ms, what) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (!alive()) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`${name}: no ${what} within ${ms} ms:\n${tail()}`);
        await new Promise((r) => { const t = setTimeout(r, 100); waiters.push(() => { clearTimeout(t); r(); }); });
      }
    },
    problems: () => lines.filter((l) => l.level === "warn" || l.level === "error").map((l) => `${l.event}${l.reason ? `: ${l.reason}` : ""}`),
    /** SIGTERM (our programs then delete their SAs), SIGKILL after graceMs. */
    async stop(graceMs = 4000) {
      if (alive()) child.kill("SIGTERM");
      const t = setTimeout(() => { if (alive()) child.kill("SIGKILL"); }, graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---------------------------------------------------------------- iperf3

function iperfServer(lab) {
  const child = spawn("ip", ["netns", "exec", lab.nsB, "iperf3", "-s", "-B", lab.innerB, "-p", String(IPERF_PORT), "--forceflush"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  const exited = new Promise((r) => child.on("close", r));
  return {
    async ready() {
      for (let i = 0; !/listening/i.test(out); i++) {
        if (child.exitCode !== null) throw new Error(`iperf3 server exited: ${out.trim()}`);
        if (i === 100) throw new Error(`iperf3 server did not say it listens within 5 s: ${out.trim()}`);
        await sleep(50);
      }
    },
    async stop() { if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM"); await exited; },
  };
}

/** One iperf3 client run of `secs` seconds in namespace A; resolves the parsed JSON (-J). */
async function iperfClient(lab, secs) {
  const r = await lab.exec(lab.nsA, ["iperf3", "-c", lab.innerB, "-B", lab.innerA, "-p", String(IPERF_PORT), "-t", String(secs), "-J"],
    { check: false, timeoutMs: (secs + 20) * 1000 });
  let j;
  try { j = JSON.parse(r.stdout); } catch { throw new Error(`iperf3 exited ${r.code} without JSON: ${(r.stderr || r.stdout).trim().slice(0, 500)}`); }
  if (j.error) throw new Error(`iperf3: ${j.error}`);
  return j;
}

/**
 * Warm-up, then `rounds` timed iperf3 runs; pids: { initiator, responder } whose CPU time is read
 * around each round. The tunnel is already up.
 */
async function measureRounds(lab, pids, row) {
  let srv = iperfServer(lab);
  try {
    await srv.ready();
    if (warmSeconds > 0) await iperfClient(lab, warmSeconds);
    const out = [];
    for (let i = 0; i < rounds; i++) {
      const c0 = { i: cpuSeconds(pids.initiator), r: cpuSeconds(pids.responder), m: machineBusySeconds(), t: performance.now() };
      let j;
      try {
        j = await iperfClient(lab, seconds);
      } catch (e) {
        // A failed round (e.g. iperf3's control connection reset on a loaded machine) is run again with
        // a fresh server, up to `rounds` times per measurement; the failure stays in the row and the report.
        if ((row.failedRounds ??= []).length >= rounds) throw e;
        row.failedRounds.push({ round: i + 1, error: msg(e) });
        console.error(`    round ${i + 1} failed (${msg(e)}): once more`);
        await srv.stop();
        srv = iperfServer(lab);
        await srv.ready();
        i--;
        continue;
      }
      const c1 = { i: cpuSeconds(pids.initiator), r: cpuSeconds(pids.responder), m: machineBusySeconds(), t: performance.now() };
      const wall = (c1.t - c0.t) / 1000;
      const d = (a, b) => (a === undefined || b === undefined ? null : +(b - a).toFixed(2));
      const cpuI = d(c0.i, c1.i), cpuR = d(c0.r, c1.r), busy = c1.m - c0.m;
      out.push({
        mbps: +(j.end.sum_received.bits_per_second / 1e6).toFixed(1),
        senderMbps: +(j.end.sum_sent.bits_per_second / 1e6).toFixed(1),
        retransmits: j.end.sum_sent.retransmits ?? null,
        seconds: +j.end.sum_received.seconds.toFixed(2),
        wallSeconds: +wall.toFixed(2),
        // CPU seconds each tunnel process used during the round (whole iperf3 run, connect to close).
        cpuSeconds: { initiator: cpuI, responder: cpuR },
        // Everything else: iperf3 itself, the kernel's network stack, other people's work (100 = one core).
        otherCpuPct: cpuI === null || cpuR === null ? null : Math.max(0, Math.round(((busy - cpuI - cpuR) / wall) * 100)),
      });
      const o = out[out.length - 1];
      console.error(`    round ${i + 1}: ${o.mbps} Mbit/s (retransmits ${o.retransmits}; CPU s initiator ${cpuI} responder ${cpuR}, other ${o.otherCpuPct} %)`);
    }
    return out;
  } finally {
    await srv.stop();
  }
}

function summarize(row) {
  const v = row.rounds.map((r) => r.mbps).sort((a, b) => a - b);
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  const pct = (k) => { const xs = row.rounds.map((r) => r.cpuSeconds[k]).filter((x) => x !== null); return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / row.rounds.reduce((a, r) => a + r.wallSeconds, 0)) * 100) : null; };
  Object.assign(row, { mbps: +median.toFixed(1), min: v[0], max: v[v.length - 1], cpuPct: { initiator: pct("initiator"), responder: pct("responder") } });
}

/** The tunnel is up when one ping from A's inner address to B's gets through it. */
async function pingThrough(lab) {
  for (let i = 0; i < 10; i++) {
    const r = await lab.exec(lab.nsA, ["ping", "-c", "1", "-W", "1", "-I", lab.innerA, lab.innerB], { check: false, timeoutMs: 5000 });
    if (r.code === 0) return;
  }
  throw new Error(`no ping from ${lab.innerA} to ${lab.innerB} through the tunnel`);
}

// ---------------------------------------------------------------- ours

function ourConfigs(lab, provider, suite) {
  const ike = { proposals: IKE, rekeyTime: 0, dpdDelay: 0 };
  const child = (localTs, remoteTs) => ({ name: "net", esp: SUITES[suite].esp, localTs: [localTs], remoteTs: [remoteTs], rekeyTime: 0 });
  const common = { logLevel: "info", provider, shutdownGrace: 1, tun: { name: TUN } };
  return {
    gateway: {
      gateway: { listen: [lab.addrB], port: 500, nattPort: 4500, status: { enabled: true, port: 8787 }, ...common },
      connections: [{ name: "bench", local: { id: ID_R }, remote: { id: ID_I, address: lab.addrA }, psk: PSK, ike, children: [child(`${lab.innerB}/32`, `${lab.innerA}/32`)] }],
    },
    tunnel: {
      tunnel: { listen: [lab.addrA], status: { enabled: true, port: 8788 }, reconnect: { initial: 5, max: 10 }, ...common },
      connections: [{ name: "bench", local: { id: ID_I, address: lab.addrA }, remote: { id: ID_R, address: lab.addrB }, psk: PSK, ike, children: [child(`${lab.innerA}/32`, `${lab.innerB}/32`)] }],
    },
  };
}

/** The data plane's counters from a program's /status (curl inside the namespace); undefined if unavailable. */
async function dataPlaneStatus(lab, ns, port) {
  const r = await lab.exec(ns, ["curl", "-s", "-m", "3", `http://127.0.0.1:${port}/status`], { check: false, timeoutMs: 5000 }).catch(() => undefined);
  try { return JSON.parse(r.stdout).dataPlane; } catch { return undefined; }
}

async function measureOurs(lab, rt, provider, suite) {
  const row = { kind: "ours", runtime: rt, provider, suite };
  const cfg = ourConfigs(lab, provider, suite);
  const files = {};
  for (const p of ["gateway", "tunnel"]) { files[p] = join(lab.dir, `${p}.json`); writeFileSync(files[p], JSON.stringify(cfg[p], null, 1)); }
  const t = performance.now();
  const gw = startProgram(`${rt} gateway`, lab.nsB, command(rt, "gateway", files.gateway));
  let tun;
  try {
    await gw.waitFor((l) => l.event === "listening", 20_000, "listening line");
    tun = startProgram(`${rt} tunnel`, lab.nsA, command(rt, "tunnel", files.tunnel));
    await tun.waitFor((l) => l.event === "child-up", 20_000, "child-up");
    await Promise.all([tun, gw].map((p) => p.waitFor((l) => l.event === "route-added", 10_000, "route-added")));
    await pingThrough(lab);
    // Seconds from starting the gateway to the first ping through the tunnel (program start-up included).
    row.upSeconds = +((performance.now() - t) / 1000).toFixed(1);
    row.rounds = await measureRounds(lab, { initiator: tun.pid, responder: gw.pid }, row);
    summarize(row);
    row.dataPlane = { initiator: await dataPlaneStatus(lab, lab.nsA, 8788), responder: await dataPlaneStatus(lab, lab.nsB, 8787) };
  } catch (e) {
    row.error = msg(e);
  } finally {
    await tun?.stop();
    await gw.stop();
    const problems = [...(tun?.problems() ?? []).map((p) => `initiator: ${p}`), ...gw.problems().map((p) => `responder: ${p}`)];
    if (problems.length) row.warnings = [...new Set(problems)].slice(0, 10);
  }
  return row;
}

// ---------------------------------------------------------------- strongSwan

// Both charons: kernel-libipsec (ESP in user space through a TUN device, ipsec0), UDP-encapsulated
// ESP (encap = yes, as our data plane always does), no DPD, no rekeying; logging at level 0.
function strongswanConf(vici, logFile) {
  return `# bench:esp strongSwan peer (rendered by bench/esp-tunnel.mjs)
charon {
  load = random nonce openssl aes sha1 sha2 hmac gcm gmp kdf pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  retransmit_tries = 3
  plugins {
    vici {
      socket = ${vici}
    }
  }
  filelog {
    bench {
      path = ${logFile}
      time_format = %s
      append = no
      default = 0
    }
  }
}
swanctl {
  load = pem pkcs1 x509 pubkey openssl random nonce
}
`;
}
function swanctlConf(lab, side, suite) {
  const me = side === "a" ? { addr: lab.addrA, peer: lab.addrB, id: ID_I, peerId: ID_R, ts: lab.innerA, peerTs: lab.innerB }
    : { addr: lab.addrB, peer: lab.addrA, id: ID_R, peerId: ID_I, ts: lab.innerB, peerTs: lab.innerA };
  return `connections {
  bench {
    version = 2
    local_addrs = ${me.addr}
    remote_addrs = ${me.peer}
    proposals = ${IKE}
    encap = yes
    dpd_delay = 0s
    rekey_time = 0s
    mobike = no
    local {
      auth = psk
      id = ${me.id}
    }
    remote {
      auth = psk
      id = ${me.peerId}
    }
    children {
      net {
        local_ts = ${me.ts}/32
        remote_ts = ${me.peerTs}/32
        esp_proposals = ${SUITES[suite].esp}
        rekey_time = 0s
        life_time = 0s
      }
    }
  }
}
secrets {
  ike-bench {
    id-a = ${ID_I}
    id-b = ${ID_R}
    secret = "${PSK}"
  }
}
`;
}

let strongswanVersion;
async function measureStrongswan(lab, suite) {
  const row = { kind: "strongswan", runtime: "strongSwan", provider: "charon", suite };
  const charons = [];
  const t = performance.now();
  try {
    for (const side of ["b", "a"]) {
      const confDir = join(lab.dir, `ss-${side}-${suite}`);
      mkdirSync(join(confDir, "run"), { recursive: true });
      writeFileSync(join(confDir, "strongswan.conf"), strongswanConf(`unix://${join(confDir, "charon.vici")}`, join(confDir, "charon.log")));
      writeFileSync(join(confDir, "swanctl.conf"), swanctlConf(lab, side, suite));
      const charon = await lab.startCharon(side === "a" ? lab.nsA : lab.nsB, confDir);
      charons.push(charon);
      await lab.swanctl(charon, ["--load-all", "--noprompt"]);
      strongswanVersion ??= (await lab.swanctl(charon, ["--version", "--daemon"], { check: false })).stdout.trim().split("\n")[0];
    }
    const [resp, init] = charons;
    await lab.swanctl(init, ["--initiate", "--child", "net", "--timeout", "15"], { timeoutMs: 20_000 });
    // The mode as charon reports it: TUNNEL-in-UDP when ESP is UDP-encapsulated, as ours always is.
    const sas = (await lab.swanctl(init, ["--list-sas"])).stdout;
    row.mode = /INSTALLED, ([\w-]+)/.exec(sas)?.[1] ?? "unknown";
    if (row.mode !== "TUNNEL-in-UDP") throw new Error(`strongSwan's Child SA is ${row.mode}, not TUNNEL-in-UDP: ${sas}`);
    await pingThrough(lab);
    row.upSeconds = +((performance.now() - t) / 1000).toFixed(1);
    row.rounds = await measureRounds(lab, { initiator: init.pid, responder: resp.pid }, row);
    summarize(row);
  } catch (e) {
    row.error = msg(e);
  } finally {
    for (const c of charons.reverse()) await c.stop().catch(() => {});
  }
  return row;
}

// ---------------------------------------------------------------- the run

const rows = [];
let errors = 0;
const { createLab } = await import("../test/interop/lab.mjs");
const lab = await createLab({ name: "bench-esp", keep: args.includes("--keep-lab") });
if (args.includes("--keep-lab")) console.error(`lab folder: ${lab.dir}`);
console.error(`bench:esp: iperf3 TCP through the tunnel, ${rounds} x ${seconds} s after ${warmSeconds} s warm-up; suites ${suites.join(", ")}; ours: ${runtimes.join(", ")} x ${providers.join(", ")}${withStrongswan ? "; strongSwan <-> strongSwan" : "; strongSwan not measured (--no-strongswan)"}`);
const timed = async (f) => { const t = performance.now(); const row = await f(); row.totalSeconds = +((performance.now() - t) / 1000).toFixed(1); return row; };
const record = (row) => {
  rows.push(row);
  if (row.error) { errors++; console.error(`  ERROR ${row.error.split("\n")[0]}`); }
  else console.error(`  => ${row.mbps} Mbit/s (${row.min}–${row.max}); tunnel up in ${row.upSeconds} s, ${row.totalSeconds} s in all`);
};
try {
  for (const suite of suites) {
    // strongSwan first for each suite, then ours, so the reference is measured close to the rows it scales.
    if (withStrongswan) {
      console.error(`  strongSwan <-> strongSwan, ${suite}`);
      record(await timed(() => measureStrongswan(lab, suite)));
    }
    for (const rt of runtimes) {
      for (const provider of providers) {
        console.error(`  ours ${rt} ${provider}, ${suite}`);
        record(await timed(() => measureOurs(lab, rt, provider, suite)));
      }
    }
  }
} finally {
  await lab.destroy();
}

const version = (cmd, a) => { try { return execFileSync(cmd, a, { encoding: "utf8" }).split("\n")[0].trim(); } catch { return "?"; } };
const meta = {
  date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), quick,
  ike: IKE, suites: Object.fromEntries(suites.map((s) => [s, SUITES[s].label])), runtimes, providers,
  rounds, roundSeconds: seconds, warmSeconds, mtu: 1400,
  strongswan: withStrongswan ? (strongswanVersion ?? "measured (version unknown)") : "not measured (--no-strongswan)",
  method: "iperf3 -c <B inner> -B <A inner> -t S -J (TCP, one stream) from namespace A to namespace B through the tunnel; Mbit/s = the receiver's figure; median of the rounds with min–max",
  versions: { node: process.version, deno: runtimes.includes("deno") ? version(bin("deno"), ["--version"]) : undefined, bun: runtimes.includes("bun") ? version(bin("bun"), ["--version"]) : undefined, iperf3: version("iperf3", ["--version"]) },
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`, loadavg: loadavg().map((x) => +x.toFixed(2)),
};
const data = { meta, rows };
writeFileSync(join(outDir, "esp.json"), JSON.stringify(data, null, 1) + "\n");
const { markdown, svg } = renderEspTunnel(data);
writeFileSync(join(outDir, "esp.md"), markdown);
writeFileSync(join(outDir, "esp.svg"), svg);
console.log(markdown);
console.error(`wrote bench/out/esp.json, esp.md, esp.svg (${meta.seconds} s)${errors ? `; ${errors} measurement(s) failed` : ""}`);
process.exit(errors ? 1 : 0);
