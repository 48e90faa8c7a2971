#!/usr/bin/env node
// bench:udp — IKE handshakes per second over real UDP: our initiator on runtime I against our
// responder on runtime R, two processes on 127.0.0.1, for every (I, R) pair; and, where strongSwan's
// charon is installed and we are root, our initiator (each runtime) against a charon responder in
// the interop lab's network namespaces (test/interop/lab.mjs). Writes bench/out/udp.json and udp.md.
//
//   node bench/udp.mjs [--quick] [--runtimes node,deno,bun] [--providers native,wasm]
//                      [--concurrency 8] [--seconds S] [--warm S] [--no-strongswan] [--veth]
//
// Processes (bench/udp-peer.ts): per provider, one responder and one initiator process per runtime,
// kept for all nine pairs so they stay warm; the same-runtime pairs go first with the long warm-up.
// Each measurement: the initiator keeps `concurrency` handshakes (IKE_SA_INIT + IKE_AUTH, PSK, one
// Child SA) in flight, deletes each IKE SA as soon as its Child SA is up, warms up, then counts the
// handshakes completed in a timed window. The CPU time both processes (and the rest of the machine)
// used in that window comes from /proc/<pid>/stat and /proc/stat.
//   --seconds S   timed window (default 2.5, --quick 1)    --warm S   first warm-up (3 / 1.5; later 1/3 of it)
//   --veth        also our responder in the lab's namespace B, right after charon (same path as charon's)
//   --keep-lab    leave the lab folder (charon's log) in /tmp
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSeconds, machineBusySeconds } from "./procstat.mjs";
import { renderUdp } from "./report-udp.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes("--quick");
const runtimes = (opt("--runtimes") ?? "node,deno,bun").split(",");
const providers = (opt("--providers") ?? (quick ? "native" : "native,wasm")).split(",");
const concurrency = +(opt("--concurrency") ?? 8);
const measureMs = Math.round(+(opt("--seconds") ?? (quick ? 1 : 2.5)) * 1000);
// Warm-up before each timed window: long the first time a process is used (JIT and wasm tiers take a
// few seconds to settle), short once it is warm.
const warmFirst = Math.round(+(opt("--warm") ?? (quick ? 1.5 : 3)) * 1000);
const warmNext = Math.round(warmFirst / 3);
const veth = args.includes("--veth");
const withStrongswan = !args.includes("--no-strongswan");
for (const rt of runtimes) if (!["node", "deno", "bun"].includes(rt)) { console.error(`unknown runtime ${rt}`); process.exit(2); }
for (const p of providers) if (!["native", "wasm"].includes(p)) { console.error(`unknown provider ${p} (native, wasm)`); process.exit(2); }

const IKE = "aes128gcm16-prfsha256-x25519", ESP = "aes128gcm16", PSK = "skeyseed bench:udp psk";
// Traffic selectors: the lab's tunnel end points (test/interop/lab.mjs ADDRESSES innerA, innerB), one
// host each. charon with kernel-libipsec routes each Child SA via a local address inside its TS.
const TS_I = "198.19.1.1/32", TS_R = "198.19.2.1/32";
const CHARON = "/usr/lib/ipsec/charon";
const bin = (n) => join(root, "node_modules", ".bin", n);
const outDir = join(root, "bench", "out");
const buildDir = join(root, ".build");
mkdirSync(outDir, { recursive: true });
mkdirSync(buildDir, { recursive: true });

// One wrapper per runtime puts that runtime's Host and the lines of stdin where bench/udp-peer.ts finds them.
function commandFor(rt) {
  const wrapper = join(buildDir, `bench-udp.${rt}.entry.ts`);
  const lines = rt === "deno"
    ? `async function* stdinLines() {\n  let buf = "";\n  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {\n    buf += chunk;\n    for (let i; (i = buf.indexOf("\\n")) >= 0; buf = buf.slice(i + 1)) yield buf.slice(0, i);\n  }\n  if (buf) yield buf;\n}\n(globalThis as any).__BENCH_LINES__ = stdinLines();\n`
    : `import { createInterface } from "node:readline";\n(globalThis as any).__BENCH_LINES__ = createInterface({ input: process.stdin });\n`;
  writeFileSync(wrapper, `import { host } from ${JSON.stringify(join(root, "runtimes", rt, "host.ts"))};\n${lines}(globalThis as any).__BENCH_HOST__ = host;\nawait import(${JSON.stringify(join(root, "bench", "udp-peer.ts"))});\n`);
  if (rt === "node") {
    const out = join(buildDir, "bench-udp.node.mjs");
    execFileSync(bin("esbuild"), [wrapper, "--bundle", "--platform=node", "--format=esm", "--packages=external",
      "--target=node20", "--log-level=warning", `--outfile=${out}`], { cwd: root, stdio: "inherit" });
    return [process.execPath, [out]];
  }
  if (rt === "deno") return [bin("deno"), ["run", "-A", "--unstable-net", "--quiet", wrapper]];
  return [bin("bun"), [wrapper]];
}
const commands = Object.fromEntries(runtimes.map((rt) => [rt, commandFor(rt)]));
const version = (cmd, a) => { try { return execFileSync(cmd, a, { encoding: "utf8" }).split("\n")[0].trim(); } catch { return "?"; } };
const versions = {
  node: process.version,
  deno: runtimes.includes("deno") ? version(bin("deno"), ["--version"]) : undefined,
  bun: runtimes.includes("bun") ? version(bin("bun"), ["--version"]) : undefined,
};


/**
 * Spawns one peer process (inside namespace `ns` if given: `ip netns exec` execs it, so the pid is
 * the runtime's). expect(tag) resolves with the payload of its next `@@TAG` line; send(line) writes
 * a line to its stdin; end() closes stdin, which ends the process.
 */
function spawnPeer(rt, peerArgs, { ns } = {}) {
  const [cmd, cargs] = commands[rt];
  const argv = [...cargs, JSON.stringify(peerArgs)];
  const what = `${rt} ${peerArgs.role}`;
  const child = ns ? spawn("ip", ["netns", "exec", ns, cmd, ...argv], { cwd: root, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(cmd, argv, { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.on("error", () => {});
  const waiters = new Map(), seen = new Map();
  let buf = "", stderr = "";
  child.stdout.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const l = buf.slice(0, nl); buf = buf.slice(nl + 1);
      const m = /^@@(\w+)(?: (.*))?$/.exec(l);
      if (!m) { if (l.trim()) process.stderr.write(`  [${what}] ${l}\n`); continue; }
      const tag = m[1] === "MARK" ? `MARK ${m[2]}` : m[1];
      const value = m[1] === "MARK" || m[2] === undefined ? true : JSON.parse(m[2]);
      const w = waiters.get(tag);
      if (w) { waiters.delete(tag); w.resolve(value); } else seen.set(tag, value);
    }
  });
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 20000) stderr = stderr.slice(-10000); });
  const exited = new Promise((r) => child.on("close", (code, sig) => r(code ?? sig)));
  const tail = () => stderr.trim().slice(-2000);
  child.on("close", (code, sig) => {
    for (const [tag, w] of waiters) w.reject(new Error(`${what} exited (${code ?? sig}) before @@${tag}: ${tail()}`));
    waiters.clear();
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid, exited, what,
    expect(tag, timeoutMs) {
      if (seen.has(tag)) { const v = seen.get(tag); seen.delete(tag); return Promise.resolve(v); }
      if (!alive()) return Promise.reject(new Error(`${what} already exited: ${tail()}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(tag); reject(new Error(`${what}: no @@${tag} within ${timeoutMs} ms: ${tail()}`)); }, timeoutMs);
        waiters.set(tag, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      });
    },
    send(text) { if (alive()) child.stdin.write(text + "\n"); },
    /** Closes stdin and waits for the exit; SIGKILL after graceMs. */
    async end(graceMs = 5000) {
      child.stdin.end();
      const t = setTimeout(() => { if (alive()) child.kill("SIGKILL"); }, graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** One measurement: initiator process `init` against `target`, the responder being process `respPid`. */
async function measure(init, respPid, target, warm) {
  init.send(JSON.stringify({ target, warmMs: warm, measureMs }));
  await init.expect("MARK start", warm + 20_000);
  const c0 = { i: cpuSeconds(init.pid), r: cpuSeconds(respPid), m: machineBusySeconds(), t: performance.now() };
  await init.expect("MARK end", measureMs + 10_000);
  const c1 = { i: cpuSeconds(init.pid), r: cpuSeconds(respPid), m: machineBusySeconds(), t: performance.now() };
  const result = await init.expect("RESULT", 10_000);
  const wall = (c1.t - c0.t) / 1000;
  const pct = (a, b) => (a === undefined || b === undefined ? null : Math.round(((b - a) / wall) * 100));
  // CPU time per completed handshake: what each side pays, whichever side is the bottleneck.
  const per = (a, b) => (a === undefined || b === undefined || !result.handshakes ? null : +(((b - a) * 1000) / result.handshakes).toFixed(2));
  return {
    warmMs: warm, ...result,
    // `other`: what everything else on the machine used meanwhile (other people's work shares the cores).
    cpuPct: { initiator: pct(c0.i, c1.i), responder: pct(c0.r, c1.r), other: c0.m === undefined || c0.i === undefined || c0.r === undefined ? null : Math.max(0, Math.round((((c1.m - c0.m) - (c1.i - c0.i) - (c1.r - c0.r)) / wall) * 100)) },
    cpuMsPerHandshake: { initiator: per(c0.i, c1.i), responder: per(c0.r, c1.r) },
  };
}

// Other people's work shares the cores: a measurement during which the rest of the machine used more
// than half a core is taken again (a few times per run at most), and the less disturbed one is kept.
const CONTENDED_PCT = 50;
let retriesLeft = quick ? 2 : 5;
async function measureQuietly(init, respPid, target, warm) {
  let r = await measure(init, respPid, target, warm);
  while (r.cpuPct.other > CONTENDED_PCT && retriesLeft > 0) {
    retriesLeft--;
    console.error(`  (the rest of the machine used ${r.cpuPct.other} % CPU meanwhile: measuring again)`);
    const again = await measure(init, respPid, target, warmNext);
    const [keep, drop] = again.cpuPct.other < r.cpuPct.other ? [again, r] : [r, again];
    r = { ...keep, alsoMeasured: [...(r.alsoMeasured ?? []), { handshakesPerSec: drop.handshakesPerSec, otherCpuPct: drop.cpuPct.other }] };
  }
  return r;
}

function log(row) {
  const r = row.error ? `ERROR ${row.error.split("\n")[0]}` : `${row.handshakesPerSec} handshakes/s (p50 ${row.latencyMs.p50} ms, CPU i/r/other ${row.cpuPct.initiator}/${row.cpuPct.responder}/${row.cpuPct.other} % = ${row.cpuMsPerHandshake.initiator}/${row.cpuMsPerHandshake.responder} ms each, retransmits ${row.retransmits}, failures ${row.failures})`;
  console.error(`  ${row.provider.padEnd(6)} ${row.initiator.padEnd(4)} -> ${row.responder.padEnd(10)} ${r}`);
}

const t0 = Date.now();
const pairs = [];
let errors = 0;
const msg = (e) => (e instanceof Error ? e.message : String(e));
console.error(`bench:udp: ${runtimes.length}x${runtimes.length} runtime pairs, providers ${providers.join(", ")}, ${concurrency} in flight, warm-up ${warmFirst} ms (first use of a process) / ${warmNext} ms, ${measureMs} ms timed`);
for (const provider of providers) {
  const common = { provider, ike: IKE, esp: ESP, psk: PSK, tsI: TS_I, tsR: TS_R };
  // All processes of this provider stay up for its nine measurements. The same-runtime pairs go
  // first with the long warm-up, which warms every process; the cross pairs then need less.
  const responders = {}, initiators = {};
  try {
    for (const rt of runtimes) {
      responders[rt] = spawnPeer(rt, { role: "responder", ip: "127.0.0.1", ...common });
      initiators[rt] = spawnPeer(rt, { role: "initiator", ip: "127.0.0.1", concurrency, ...common });
    }
    for (const rt of runtimes) {
      responders[rt].ports = await responders[rt].expect("PORTS", 30_000);
      await initiators[rt].expect("READY", 30_000);
    }
    const order = [...runtimes.map((rt) => [rt, rt]), ...runtimes.flatMap((i) => runtimes.filter((r) => r !== i).map((r) => [i, r]))];
    for (const [i, r] of order) {
      const row = { initiator: i, responder: r, provider };
      try {
        const resp = responders[r];
        Object.assign(row, await measureQuietly(initiators[i], resp.pid, { ip: "127.0.0.1", ...resp.ports }, i === r ? warmFirst : warmNext));
        resp.send("stats");
        row.responderStats = await resp.expect("STATS", 5000);
      } catch (e) {
        row.error = msg(e);
        errors++;
      }
      pairs.push(row);
      log(row);
    }
  } catch (e) {
    console.error(`  ${provider}: ${msg(e)}`);
    pairs.push({ provider, error: msg(e) });
    errors++;
  } finally {
    await Promise.all([...Object.values(responders), ...Object.values(initiators)].map((p) => p.end()));
  }
}
// In the file: sorted by provider, initiator, responder.
const rank = (rt) => runtimes.indexOf(rt);
pairs.sort((a, b) => providers.indexOf(a.provider) - providers.indexOf(b.provider) || rank(a.initiator) - rank(b.initiator) || rank(a.responder) - rank(b.responder));

// strongSwan: charon as the responder in the lab's namespace B, our initiator (a fresh process per
// runtime and provider, so with the long warm-up) in namespace A. With --veth, the same initiator
// then also measures our responder of its runtime in namespace B: the same path as charon's.
async function strongswan() {
  if (!withStrongswan) return "not run (--no-strongswan)";
  if (!existsSync(CHARON)) return "not installed";
  if (process.getuid?.() !== 0) return "not run: needs root (network namespaces)";
  const { createLab, renderTemplate } = await import("../test/interop/lab.mjs");
  const lab = await createLab({ name: "bench-udp", keep: args.includes("--keep-lab") });
  if (args.includes("--keep-lab")) console.error(`  lab folder: ${lab.dir}`);
  const rows = [];
  try {
    const confDir = join(lab.dir, "b-bench");
    mkdirSync(join(confDir, "run"), { recursive: true });
    const vars = {
      VICI: `unix://${join(confDir, "charon.vici")}`, LOG_FILE: join(confDir, "charon.log"),
      LOCAL_ADDR: lab.addrB, IKE_PROPOSALS: IKE, ESP_PROPOSALS: ESP, PSK, LOCAL_TS: TS_R, REMOTE_TS: TS_I,
    };
    for (const f of ["strongswan.conf", "swanctl.conf"]) writeFileSync(join(confDir, f), renderTemplate(readFileSync(join(root, "bench", "strongswan", f), "utf8"), vars));
    const charon = await lab.startCharon(lab.nsB, confDir);
    await lab.swanctl(charon, ["--load-all", "--noprompt"]);
    const daemon = (await lab.swanctl(charon, ["--version", "--daemon"], { check: false })).stdout.trim().split("\n")[0];
    const ikeSas = async () => {
      const m = /IKE_SAs:\s*(\d+) total, (\d+) half-open/.exec((await lab.swanctl(charon, ["--stats"], { check: false })).stdout);
      return m ? { total: +m[1], halfOpen: +m[2] } : undefined;
    };
    for (const provider of providers) {
      for (const rt of runtimes) {
        const common = { provider, ike: IKE, esp: ESP, psk: PSK, tsI: TS_I, tsR: TS_R };
        const init = spawnPeer(rt, { role: "initiator", ip: lab.addrA, concurrency, ...common }, { ns: lab.nsA });
        const ours = veth ? spawnPeer(rt, { role: "responder", ip: lab.addrB, ...common }, { ns: lab.nsB }) : undefined;
        try {
          await init.expect("READY", 30_000);
          const row = { initiator: rt, responder: "strongswan", provider };
          try {
            Object.assign(row, await measureQuietly(init, charon.pid, { ip: lab.addrB, ike: 500, natt: 4500 }, warmFirst));
            row.responderStats = { ikeSasLeft: (await ikeSas())?.total };
          } catch (e) { row.error = msg(e); errors++; }
          rows.push(row); log(row);
          if (ours) {
            const row2 = { initiator: rt, responder: `${rt} (veth)`, provider };
            try {
              const ports = await ours.expect("PORTS", 30_000);
              Object.assign(row2, await measureQuietly(init, ours.pid, { ip: lab.addrB, ...ports }, warmFirst));
              ours.send("stats");
              row2.responderStats = await ours.expect("STATS", 5000);
            } catch (e) { row2.error = msg(e); errors++; }
            rows.push(row2); log(row2);
          }
        } finally {
          await Promise.all([init.end(), ours?.end()]);
        }
      }
    }
    return {
      version: daemon, charon: CHARON, config: "bench/strongswan/",
      where: "network namespaces joined by a veth pair (test/interop/lab.mjs), our initiator in A and charon in B",
      rows,
    };
  } finally {
    await lab.destroy();
  }
}
let ss;
try {
  ss = await strongswan();
} catch (e) {
  ss = { error: msg(e) };
  errors++;
}
if (typeof ss === "string") console.error(`  strongSwan: ${ss}`);
else if (ss.error) console.error(`  strongSwan: ERROR ${ss.error}`);

const meta = {
  date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), quick,
  ike: IKE, esp: ESP, auth: "PSK", concurrency, warmMs: { first: warmFirst, next: warmNext }, measureMs, remeasureAboveOtherCpuPct: CONTENDED_PCT,
  method: "two processes over UDP on 127.0.0.1 (ephemeral ports); each IKE SA is deleted as soon as its Child SA is up; handshakesPerSec counts Child SAs up at the initiator in the timed window",
  versions, cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`, loadavg: loadavg().map((x) => +x.toFixed(2)),
};
const result = { meta, pairs, strongswan: ss };
writeFileSync(join(outDir, "udp.json"), JSON.stringify(result, null, 1) + "\n");
const markdown = renderUdp(result);
writeFileSync(join(outDir, "udp.md"), markdown);
console.log(markdown);
console.error(`wrote bench/out/udp.json, udp.md (${meta.seconds} s)${errors ? `; ${errors} measurement(s) failed` : ""}`);
process.exit(errors ? 1 : 0);
