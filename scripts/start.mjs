#!/usr/bin/env node
// `npm start`: the demo. A gateway under Deno and an edge tunnel under Bun, on loopback with
// unprivileged ports, from embedded default configurations. The tunnel has short lifetimes (Child SA
// rekey every 10 s, IKE SA every 20 s) so the SAs come up, rekey and close within ~40 s; what happens
// is printed from both programs' JSON logs, a few lines per event. Options: --seconds N (default 40).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const SECONDS = arg("--seconds", 40);
const PSK = "demo: correct horse battery staple";

const gatewayYaml = (port, nattPort, statusPort) => `# skeyseed demo gateway (npm start)
gateway:
  listen: [127.0.0.1]
  port: ${port}
  nattPort: ${nattPort}
  status: { address: 127.0.0.1, port: ${statusPort} }
connections:
  - name: edges
    local: { id: gw.example }
    remote: { id: "%any" }
    psk: "${PSK}"
    ike: { proposals: "aes128gcm16-prfsha256-x25519,aes256-sha256-modp2048", dpdDelay: 0 }
    children:
      - { name: lan, esp: "aes128gcm16,aes256-sha256", localTs: [10.2.0.0/16], remoteTs: [10.1.0.0/16] }
`;
const tunnelYaml = (port, nattPort) => `# skeyseed demo edge tunnel (npm start): short lifetimes so rekeys happen while you watch
tunnel:
  reconnect: { initial: 1, max: 10 }
connections:
  - name: edge
    local: { id: edge.example, address: 127.0.0.1 }
    remote: { id: gw.example, address: 127.0.0.1, port: ${port}, nattPort: ${nattPort} }
    psk: "${PSK}"
    ike: { proposals: aes128gcm16-prfsha256-x25519, rekeyTime: 20, jitter: 0.05, dpdDelay: 0 }
    children:
      - { name: lan, esp: aes128gcm16, localTs: [10.1.0.0/16], remoteTs: [10.2.0.0/16], rekeyTime: 10, jitter: 0.05 }
`;

const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
const say = (who, first, ...more) => {
  console.log(`${stamp()} ${who.padEnd(7)} ${first}`);
  for (const m of more) console.log(`${" ".repeat(17)}${m}`);
};
const stats = { ikeUp: 0, ikeRekeyed: 0, childRekeyed: 0, warnings: 0 };

const why = (r) => (!r || /^deleted( by peer)?$/.test(r) ? "" : ` (${r})`);

/** A few readable lines for one JSON log line; nothing for the routine ones. */
function describe(who, l) {
  const peer = l.peer ? ` with ${l.peer}` : "";
  switch (l.event) {
    case "listening": return say(who, `${l.program} on ${l.runtime} (${l.provider} crypto) listening on ${l.ike.join(", ")}, NAT-T ${l.natt.join(", ")}`, ...(l.status !== "off" ? [`status: ${l.status}/status  metrics: ${l.status}/metrics`] : []));
    case "ike-initiate": return say(who, `${l.sa}: IKE_SA_INIT -> ${l.peer}`);
    case "ike-up": stats.ikeUp += who === "tunnel"; return say(who, `IKE SA ${l.sa} ESTABLISHED${peer} ('${l.localId}' <-> '${l.remoteId}')`, `${l.suite}, SPIs ${l.spiI}_i ${l.spiR}_r`);
    case "ike-rekeyed": stats.ikeRekeyed += who === "tunnel"; return say(who, `IKE SA rekeyed: ${l.sa} replaces #${l.replaces} (CREATE_CHILD_SA)`, `new SPIs ${l.spiI}_i ${l.spiR}_r`);
    case "child-up": return say(who, `Child SA ${l.sa} INSTALLED: ${l.localTs.join(",")} === ${l.remoteTs.join(",")}`, `ESP ${l.suite}, SPI in ${l.spiIn} out ${l.spiOut}`);
    case "child-rekeyed": stats.childRekeyed += who === "tunnel"; return say(who, `Child SA rekeyed: ${l.sa} replaces {${l.replaces}}, SPI in ${l.spiIn} out ${l.spiOut}`);
    case "child-down": return l.reason === "rekeyed" ? undefined : say(who, `Child SA ${l.sa} deleted${l.byPeer ? " by the peer" : ""}${why(l.reason)}`);
    case "ike-down": return say(who, `IKE SA ${l.sa} deleted${l.byPeer ? " by the peer" : ""}${why(l.reason)}`);
    case "shutdown": return say(who, `${l.signal}: closing ${l.ikeSas} IKE SA(s), telling the peer`);
    case "shutdown-complete": return say(who, l.clean ? "all SAs closed; exiting" : `gave up waiting: ${l.reason}`);
    default:
      if (l.level === "warn" || l.level === "error") { stats.warnings++; return say(who, `${l.level}: ${l.event}${l.sa ? ` ${l.sa}` : ""}${l.reason ? `: ${l.reason}` : ""}`); }
  }
}

function run(who, cmd, args, { quietStderr = false } = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const p = { child, lines: [], stderr: "", waiters: [] };
  let buf = "";
  child.stdout.setEncoding("utf8").on("data", (d) => {
    buf += d;
    for (let nl; (nl = buf.indexOf("\n")) >= 0;) {
      const text = buf.slice(0, nl); buf = buf.slice(nl + 1);
      let l; try { l = JSON.parse(text); } catch { console.log(text); continue; }
      p.lines.push(l);
      describe(who, l);
      for (const w of p.waiters.splice(0)) w();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d) => { p.stderr += d; if (!quietStderr) process.stderr.write(d); });
  p.exited = new Promise((resolve) => child.on("close", (code) => { for (const w of p.waiters.splice(0)) w(); resolve(code); }));
  p.until = async (pred, ms) => {
    const end = Date.now() + ms;
    while (!p.lines.some(pred)) {
      if (child.exitCode !== null || Date.now() > end) return undefined;
      await new Promise((r) => { const t = setTimeout(r, 200); p.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return p.lines.find(pred);
  };
  return p;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), "skeyseed-demo-"));
let gw, tun, stopping = false;
process.on("SIGINT", () => { if (stopping) process.exit(130); stopping = true; console.log("\n(interrupted: shutting down)"); tun?.child.kill("SIGTERM"); gw?.child.kill("SIGTERM"); });

async function startGateway() {
  // Fixed unprivileged ports first; ephemeral ones if something else holds them.
  for (const [port, natt, status] of [[15500, 15501, 8787], [0, 0, 0]]) {
    const file = join(dir, "gateway.yaml");
    writeFileSync(file, gatewayYaml(port, natt, status));
    const p = run("gateway", bin("deno"), ["run", "--unstable-net", "-A", "--quiet", "runtimes/deno/gateway.ts", "--config", file], { quietStderr: true });
    const l = await p.until((x) => x.event === "listening", 30000);
    if (l) return { p, l };
    await p.exited;
    if (!/cannot listen|cannot start the status server/.test(p.stderr)) { process.stderr.write(p.stderr); throw new Error("the gateway did not start"); }
    console.log(`${stamp()} (ports ${port}/${natt}/${status} are taken: using ephemeral ports)`);
  }
  throw new Error("the gateway did not start");
}

let code = 1;
try {
  console.log(`skeyseed demo: a Deno gateway and a Bun edge tunnel on 127.0.0.1 for ${SECONDS} s (configs in ${dir})\n`);
  const g = await startGateway();
  gw = g.p;
  const port = (a) => Number(a.split(":").at(-1));
  const tfile = join(dir, "tunnel.yaml");
  writeFileSync(tfile, tunnelYaml(port(g.l.ike[0]), port(g.l.natt[0])));
  tun = run("tunnel", bin("bun"), ["runtimes/bun/tunnel.ts", "--config", tfile, "--quiet"]);

  const statusAt = Math.min(25, SECONDS - 5) * 1000;
  await sleep(Math.max(0, t0 + statusAt - Date.now()));
  if (!stopping && g.l.status !== "off") {
    console.log(`\n${stamp()} $ gateway status   (like swanctl --list-sas)`);
    const s = spawn(bin("deno"), ["run", "-A", "--quiet", "runtimes/deno/gateway.ts", "status", "--url", g.l.status], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = ""; s.stdout.setEncoding("utf8").on("data", (d) => { out += d; });
    await new Promise((r) => s.on("close", r));
    console.log(out.replace(/^/gm, "    "));
  }
  await sleep(Math.max(0, t0 + SECONDS * 1000 - Date.now()));

  if (!stopping) {
    stopping = true;
    console.log(`\n${stamp()} demo time is up: SIGTERM to the tunnel, then to the gateway`);
    tun.child.kill("SIGTERM");
  }
  const tcode = await tun.exited;
  await gw.until((l) => l.event === "ike-down", 2000);
  gw.child.kill("SIGTERM");
  const gcode = await gw.exited;
  const ok = tcode === 0 && gcode === 0 && stats.ikeUp > 0;
  console.log(`\n${stamp()} done: ${stats.ikeUp} IKE SA established, ${stats.ikeRekeyed} IKE rekey(s), ${stats.childRekeyed} Child SA rekey(s), ${stats.warnings} warning(s); ` +
    `tunnel exit ${tcode}, gateway exit ${gcode}`);
  if (!ok) process.stderr.write(`demo failed\n--- tunnel stderr\n${tun.stderr}\n--- gateway stderr\n${gw.stderr}\n`);
  code = ok ? 0 : 1;
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
  tun?.child.kill("SIGKILL");
  gw?.child.kill("SIGKILL");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
