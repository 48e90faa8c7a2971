#!/usr/bin/env node
// bench:rss — the resident memory of the real gateway program (runtimes/<rt>/gateway.ts) holding
// 10,000 established IKE SAs with one Child SA each, per runtime. The gateway runs from a generated
// --config file (PSK responder on 127.0.0.1, fixed free ports, status server on loopback, native
// provider, no rekeys, no DPD); an initiator process on Node (bench/gateway-rss-peer.ts, its SAs spread
// over many small endpoints so that the gateway sets the pace) brings the SAs up over UDP and keeps them. VmRSS comes from /proc/<pid>/status: before any SA (baseline) and
// with all SAs up; /metrics (skeyseed_ike_sas, skeyseed_child_sas) and /status confirm the count.
// Writes bench/out/gatewayrss.json (rendered by bench/report-all.mjs as part of `npm run bench`).
//
//   node bench/gateway-rss.mjs [--runtimes node,deno,bun] [--count 10000] [--concurrency 16]
import { spawn, execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSeconds } from "./procstat.mjs";
import { gatewayRssSection } from "./report-all.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const runtimes = (opt("--runtimes") ?? "node,deno,bun").split(",");
for (const rt of runtimes) if (!["node", "deno", "bun"].includes(rt)) { console.error(`unknown runtime ${rt}`); process.exit(2); }
const count = +(opt("--count") ?? 10000);
const concurrency = +(opt("--concurrency") ?? 16);
const IKE = "aes128gcm16-prfsha256-x25519", ESP = "aes128gcm16", PSK = "skeyseed bench:rss psk";
const TS_I = "198.19.1.1/32", TS_R = "198.19.2.1/32";
const SAMPLES = 5, SAMPLE_MS = 200, SETTLE_MS = 1500;
const bin = (n) => join(root, "node_modules", ".bin", n);
const outDir = join(root, "bench", "out");
const buildDir = join(root, ".build");
mkdirSync(outDir, { recursive: true });
mkdirSync(buildDir, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const bundle = (entry, out) => {
  execFileSync(bin("esbuild"), [entry, "--bundle", "--platform=node", "--format=esm", "--packages=external",
    "--target=node20", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
  return out;
};
/** The gateway program as the tests and the README start it on each runtime (Node: bundled, as `npm run build` does). */
function gatewayCommand(rt, config) {
  if (rt === "deno") return [bin("deno"), ["run", "--unstable-net", "-A", "--quiet", "runtimes/deno/gateway.ts", "--config", config]];
  if (rt === "bun") return [bin("bun"), ["runtimes/bun/gateway.ts", "--config", config]];
  return [process.execPath, [bundle("runtimes/node/gateway.ts", join(buildDir, "bench-rss-gateway.node.mjs")), "--config", config]];
}
const peerBundle = bundle("bench/gateway-rss-peer.ts", join(buildDir, "bench-rss-peer.node.mjs"));

/** A port the kernel just handed out as free on 127.0.0.1 (UDP or TCP), released for the gateway to take. */
async function freePort(kind) {
  if (kind === "udp") {
    const s = createSocket("udp4");
    await new Promise((r) => s.bind(0, "127.0.0.1", r));
    const p = s.address().port;
    await new Promise((r) => s.close(r));
    return p;
  }
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const p = srv.address().port;
  await new Promise((r) => srv.close(r));
  return p;
}

/** VmRSS and VmHWM of a process, in KiB (the kernel's kB). */
function vm(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => +new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)[1];
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}
/** The median of SAMPLES readings of VmRSS, SAMPLE_MS apart (RSS moves as the collector runs). */
async function rssSamples(pid) {
  const xs = [];
  for (let i = 0; i < SAMPLES; i++) { if (i) await sleep(SAMPLE_MS); xs.push(vm(pid).rss); }
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], samples: xs };
}


async function metrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = (name) => { const x = new RegExp(`^${name} (\\S+)$`, "m").exec(text); return x ? +x[1] : undefined; };
  return {
    ikeSas: m("skeyseed_ike_sas"), childSas: m("skeyseed_child_sas"), halfOpen: m("skeyseed_ike_sas_half_open"),
    received: m("skeyseed_ike_received_total"), sent: m("skeyseed_ike_sent_total"), retransmits: m("skeyseed_ike_retransmits_sent_total"),
  };
}

function spawnLogged(name, cmd, argv, { stdin = false } = {}) {
  const child = spawn(cmd, argv, { cwd: root, stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  child.stdin?.on("error", () => {});
  let stderr = "", buf = "";
  const tagged = new Map(), waiters = new Map();
  let shown = 0;
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 20000) stderr = stderr.slice(-10000); });
  child.stdout.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const l = buf.slice(0, nl); buf = buf.slice(nl + 1);
      const m = /^@@(\w+) (.*)$/.exec(l);
      if (!m) { if (l.trim()) process.stderr.write(`  [${name}] ${l.slice(0, 300)}\n`); continue; }
      const v = JSON.parse(m[2]);
      if (m[1] === "PROGRESS") {
        if (Math.floor(v.up / 2000) !== shown) { shown = Math.floor(v.up / 2000); process.stderr.write(`  [${name}] ${v.up} up, ${v.failed} failed, ${v.inFlight} in flight\n`); }
        continue;
      }
      const w = waiters.get(m[1]);
      if (w) { waiters.delete(m[1]); w(v); } else tagged.set(m[1], v);
    }
  });
  const exited = new Promise((r) => child.on("close", (code, sig) => r(code ?? sig)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child, exited, alive, tail: () => stderr.trim().slice(-1500),
    expect(tag, ms) {
      if (tagged.has(tag)) { const v = tagged.get(tag); tagged.delete(tag); return Promise.resolve(v); }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => { waiters.delete(tag); reject(new Error(`${name}: no @@${tag} within ${ms} ms: ${stderr.trim().slice(-1500)}`)); }, ms);
        exited.then((c) => { clearTimeout(t); reject(new Error(`${name} exited (${c}) before @@${tag}: ${stderr.trim().slice(-1500)}`)); });
        waiters.set(tag, (v) => { clearTimeout(t); resolve(v); });
      });
    },
    send(line) { if (alive()) child.stdin.write(line + "\n"); },
  };
}

async function measureRuntime(rt) {
  const dir = mkdtempSync(join(tmpdir(), "skeyseed-bench-rss-"));
  const ports = { ike: await freePort("udp"), natt: await freePort("udp"), status: await freePort("tcp") };
  const config = join(dir, "gateway.json");
  writeFileSync(config, JSON.stringify({
    gateway: {
      listen: ["127.0.0.1"], port: ports.ike, nattPort: ports.natt,
      status: { address: "127.0.0.1", port: ports.status },
      // warn: no log line per SA (20,000+ lines would be the benchmark's cost, not the gateway's state).
      logLevel: "warn", provider: "native", shutdownGrace: 0,
    },
    // Thousands of handshakes from one address: no COOKIE round trip.
    cookieThreshold: 1000000,
    connections: [{
      name: "edges", local: { id: "gw.bench" }, remote: { id: "%any" }, psk: PSK,
      // rekeyTime 0: the IKE and Child SAs never rekey or expire; dpdDelay 0: no liveness checks.
      ike: { proposals: IKE, rekeyTime: 0, dpdDelay: 0 },
      children: [{ name: "net", esp: ESP, localTs: [TS_R], remoteTs: [TS_I], rekeyTime: 0 }],
    }],
  }, null, 1));
  const url = `http://127.0.0.1:${ports.status}`;
  const [cmd, argv] = gatewayCommand(rt, config);
  const gw = spawnLogged(`${rt} gateway`, cmd, argv);
  let peer;
  const row = { runtime: rt, count, ports };
  try {
    // Ready once /metrics answers (the listening line is an info line; the log level is warn).
    const tStart = Date.now();
    for (;;) {
      if (!gw.alive()) throw new Error(`${rt} gateway exited: ${gw.tail()}`);
      try { const m = await metrics(url); if (m.ikeSas === 0) break; } catch { /* not up yet */ }
      if (Date.now() - tStart > 30_000) throw new Error(`${rt} gateway: /metrics did not answer within 30 s: ${gw.tail()}`);
      await sleep(100);
    }
    row.startupMs = Date.now() - tStart;
    await sleep(SETTLE_MS);
    const pid = gw.child.pid;
    row.baselineKb = await rssSamples(pid);

    peer = spawnLogged(`${rt} run: initiator`, process.execPath, [peerBundle, JSON.stringify({ target: { ip: "127.0.0.1", ike: ports.ike, natt: ports.natt }, count, concurrency, psk: PSK, ike: IKE, esp: ESP, tsI: TS_I, tsR: TS_R })], { stdin: true });
    const cpu0 = cpuSeconds(pid);
    row.build = await peer.expect("DONE", 300_000);
    // The gateway's CPU time for the build: how close to one full core it ran (it is the bottleneck if so).
    row.build.gatewayCpuSeconds = +(cpuSeconds(pid) - cpu0).toFixed(1);
    try { row.build.initiatorCpuSeconds = +cpuSeconds(peer.child.pid).toFixed(1); } catch { /* gone */ }
    // Let the last IKE_AUTH responses and the collector settle, then check the count and measure.
    await sleep(SETTLE_MS);
    const m0 = await metrics(url);
    row.atCountKb = await rssSamples(pid);
    row.peakKb = vm(pid).hwm;
    const m1 = await metrics(url);
    row.metrics = m1;
    // Nothing must happen while the SAs are held: no IKE datagram in or out during the RSS samples.
    row.ikeDatagramsDuringSamples = { received: m1.received - m0.received, sent: m1.sent - m0.sent };
    // /status lists every IKE SA (read after the RSS: building a 10,000-SA snapshot allocates).
    const snap = JSON.parse(await (await fetch(`${url}/status`)).text());
    row.status = { ikeSas: snap.ikeSas.length, childSas: snap.ikeSas.reduce((n, s) => n + (s.children?.length ?? 0), 0), runtime: snap.runtime, provider: snap.provider };
    peer.send("stats");
    row.initiator = await peer.expect("STATS", 10_000);
    row.deltaKb = row.atCountKb.median - row.baselineKb.median;
    row.bytesPerSa = Math.round((row.deltaKb * 1024) / count);
    row.established = m1.ikeSas === count && m1.childSas === count && row.status.ikeSas === count;
    if (!row.established) row.error = `the gateway holds ${m1.ikeSas} IKE SAs / ${m1.childSas} Child SAs (/status: ${row.status.ikeSas}), not ${count}`;
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
  } finally {
    if (peer) { peer.child.stdin.end(); setTimeout(() => { if (peer.alive()) peer.child.kill("SIGKILL"); }, 3000).unref(); await peer.exited; }
    // The SAs die with the gateway: a graceful shutdown would send 10,000 Deletes for nothing.
    if (gw.alive()) gw.child.kill("SIGKILL");
    await gw.exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return row;
}

const version = (cmd, a) => { try { return execFileSync(cmd, a, { encoding: "utf8" }).split("\n")[0].trim(); } catch { return "?"; } };
const versions = { node: process.version, deno: version(bin("deno"), ["--version"]), bun: version(bin("bun"), ["--version"]) };
const t0 = Date.now();
const rows = [];
console.error(`bench:rss: the gateway with ${count.toLocaleString("en")} IKE SAs (+1 Child SA each) on ${runtimes.join(", ")}; initiator on Node, ${concurrency} handshakes in flight`);
for (const rt of runtimes) {
  const r = await measureRuntime(rt);
  rows.push(r);
  if (r.error) console.error(`  ${rt}: ERROR ${r.error}`);
  else console.error(`  ${rt}: baseline ${(r.baselineKb.median / 1024).toFixed(1)} MiB, with ${count} SAs ${(r.atCountKb.median / 1024).toFixed(1)} MiB (peak ${(r.peakKb / 1024).toFixed(1)}), ${r.bytesPerSa} bytes/SA; built in ${r.build.seconds} s (${r.build.handshakesPerSec}/s, ${r.build.failed} failed)`);
}
const meta = {
  date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), count, concurrency, ike: IKE, esp: ESP, auth: "PSK", provider: "native",
  samples: SAMPLES, sampleMs: SAMPLE_MS, settleMs: SETTLE_MS, versions,
  method: `the gateway program per runtime from a generated --config (127.0.0.1, logLevel warn, native provider, no rekey, no DPD); VmRSS from /proc/<pid>/status, median of ${SAMPLES} readings ${SAMPLE_MS} ms apart, ${SETTLE_MS} ms after the gateway answered /metrics (baseline) and ${SETTLE_MS} ms after the initiator (Node, ${concurrency} in flight) had ${count} Child SAs up; per SA = (RSS with the SAs − baseline) ÷ ${count}; the count checked with /metrics and /status`,
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`, loadavg: loadavg().map((x) => +x.toFixed(2)),
};
const result = { meta, rows };
writeFileSync(join(outDir, "gatewayrss.json"), JSON.stringify(result, null, 1) + "\n");
console.log(gatewayRssSection(result).md);
const failed = rows.filter((r) => r.error).length;
console.error(`wrote bench/out/gatewayrss.json (${meta.seconds} s)${failed ? `; ${failed} runtime(s) failed` : ""}`);
process.exit(failed ? 1 : 0);
