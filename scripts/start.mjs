#!/usr/bin/env node
// `npm start`: the demo. A gateway under Deno and an edge tunnel under Bun, on loopback with
// unprivileged ports, from embedded default configurations. The tunnel has short lifetimes (Child SA
// rekey every 10 s, IKE SA every 20 s) so the SAs come up, rekey and close within ~40 s; what happens
// is printed from both programs' JSON logs, a few lines per event. Options: --seconds N (default 40).
//
// As root (with /dev/net/tun and `ip netns`), the demo also carries traffic: the gateway and the tunnel
// each run in a network namespace of their own, joined by a veth pair (198.18.200.1/.2, a benchmarking
// range), each with a TUN device (10.1.0.1 edge, 10.2.0.1 gateway), and the demo pings through the
// tunnel both ways, once at the start and once after the rekeys. The namespaces go when the demo ends.
// Not root: the same demo on loopback without the data plane, and a line that says so. --no-tun forces that.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const SECONDS = arg("--seconds", 40);
const PSK = "demo: correct horse battery staple";

// The data plane needs root, /dev/net/tun and network namespaces.
const NET = { gwNs: `skeyseed-demo-gw-${process.pid}`, edgeNs: `skeyseed-demo-edge-${process.pid}`, gwIp: "198.18.200.2", edgeIp: "198.18.200.1", gwInner: "10.2.0.1", edgeInner: "10.1.0.1" };
const withTun = !process.argv.includes("--no-tun") && process.getuid?.() === 0 && existsSync("/dev/net/tun");
const why = process.argv.includes("--no-tun") ? "--no-tun" : process.getuid?.() !== 0 ? "not running as root" : "no /dev/net/tun";

const gatewayYaml = (port, nattPort, statusPort) => `# skeyseed demo gateway (npm start)
gateway:
  listen: [${withTun ? NET.gwIp : "127.0.0.1"}]
  port: ${port}
  nattPort: ${nattPort}
  status: { address: 127.0.0.1, port: ${statusPort} }${withTun ? `
  tun: { name: skgw0, addresses: [${NET.gwInner}/32] }   # routes: auto (the edge's 10.1.0.0/16 while its Child SA is up)` : ""}
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
  reconnect: { initial: 1, max: 10 }${withTun ? `
  tun: { name: skedge0, addresses: [${NET.edgeInner}/32] }   # routes: auto (10.2.0.0/16 into the tunnel)` : ""}
connections:
  - name: edge
    local: { id: edge.example, address: ${withTun ? NET.edgeIp : "127.0.0.1"} }
    remote: { id: gw.example, address: ${withTun ? NET.gwIp : "127.0.0.1"}, port: ${port}, nattPort: ${nattPort} }
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
const stats = { ikeUp: 0, ikeRekeyed: 0, childRekeyed: 0, warnings: 0, pings: 0, pingsOk: 0 };

const because = (r) => (!r || /^deleted( by peer)?$/.test(r) ? "" : ` (${r})`);

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
    case "child-down": return l.reason === "rekeyed" ? undefined : say(who, `Child SA ${l.sa} deleted${l.byPeer ? " by the peer" : ""}${because(l.reason)}`);
    case "ike-down": return say(who, `IKE SA ${l.sa} deleted${l.byPeer ? " by the peer" : ""}${because(l.reason)}`);
    case "tun-up": return say(who, `TUN device ${l.device} up (MTU ${l.mtu}, ${l.addresses.join(", ") || "no address"}); routes follow the Child SAs`);
    case "route-added": return say(who, `route ${l.route} -> ${l.device}`);
    case "shutdown": return say(who, `${l.signal}: closing ${l.ikeSas} IKE SA(s), telling the peer`);
    case "shutdown-complete": return say(who, l.clean ? "all SAs closed; exiting" : `gave up waiting: ${l.reason}`);
    default:
      if (l.level === "warn" || l.level === "error") { stats.warnings++; return say(who, `${l.level}: ${l.event}${l.sa ? ` ${l.sa}` : ""}${l.reason ? `: ${l.reason}` : ""}`); }
  }
}

/** In the demo's namespace for `who` when the data plane is on. */
const inNs = (who, cmd, args) => (withTun ? ["ip", ["netns", "exec", who === "gateway" ? NET.gwNs : NET.edgeNs, cmd, ...args]] : [cmd, args]);

function run(who, cmd0, args0, { quietStderr = false } = {}) {
  const [cmd, args] = inNs(who, cmd0, args0);
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
const ip = (...a) => execFileSync("ip", a, { stdio: ["ignore", "ignore", "pipe"] });

function netUp() {
  netDown();
  ip("netns", "add", NET.gwNs); ip("netns", "add", NET.edgeNs);
  ip("link", "add", "skdemo-e", "netns", NET.edgeNs, "type", "veth", "peer", "name", "skdemo-g", "netns", NET.gwNs);
  for (const [ns, dev, a] of [[NET.edgeNs, "skdemo-e", NET.edgeIp], [NET.gwNs, "skdemo-g", NET.gwIp]]) {
    ip("-n", ns, "addr", "add", `${a}/30`, "dev", dev);
    ip("-n", ns, "link", "set", dev, "up");
    ip("-n", ns, "link", "set", "lo", "up");
  }
}
function netDown() {
  for (const ns of [NET.gwNs, NET.edgeNs]) { try { ip("netns", "del", ns); } catch { /* not there */ } }
}

/** ping through the tunnel from one namespace's inner address to the other's; prints ping's summary. */
async function pingThrough(from) {
  const [src, dst] = from === "tunnel" ? [NET.edgeInner, NET.gwInner] : [NET.gwInner, NET.edgeInner];
  const [cmd, args] = inNs(from, "ping", ["-c", "3", "-i", "0.2", "-W", "2", "-I", src, dst]);
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = ""; p.stdout.setEncoding("utf8").on("data", (d) => { out += d; }); p.stderr.setEncoding("utf8").on("data", (d) => { out += d; });
  const code = await new Promise((r) => p.on("close", r));
  const sum = /(\d+) packets transmitted, (\d+) received/.exec(out);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  stats.pings += 1;
  if (code === 0) stats.pingsOk += 1;
  say(from === "tunnel" ? "tunnel" : "gateway", `$ ping -I ${src} ${dst}   (through the tunnel: ESP in UDP on port 4500)`,
    sum ? `${sum[2]}/${sum[1]} replies${rtt ? `, average ${rtt[1]} ms` : ""}` : out.trim().split("\n").at(-1));
}
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
  if (withTun) {
    netUp();
    console.log(`skeyseed demo: a Deno gateway and a Bun edge tunnel in two network namespaces (${NET.gwIp} and ${NET.edgeIp}), each with a TUN device, for ${SECONDS} s (configs in ${dir})\n`);
  } else {
    console.log(`skeyseed demo: a Deno gateway and a Bun edge tunnel on 127.0.0.1 for ${SECONDS} s (configs in ${dir})`);
    console.log(`(${why}: no data plane, so no ping through the tunnel; \`sudo npm start\` adds TUN devices in two network namespaces and pings through the tunnel)\n`);
  }
  const g = await startGateway();
  gw = g.p;
  const port = (a) => Number(a.split(":").at(-1));
  const tfile = join(dir, "tunnel.yaml");
  writeFileSync(tfile, tunnelYaml(port(g.l.ike[0]), port(g.l.natt[0])));
  tun = run("tunnel", bin("bun"), ["runtimes/bun/tunnel.ts", "--config", tfile, "--quiet"]);

  if (withTun) {
    // Once the Child SA is up and both routes are in place: a ping each way.
    const routed = (p) => p.until((x) => x.event === "route-added", 20000);
    await Promise.all([tun.until((x) => x.event === "child-up", 20000), routed(tun), routed(gw)]);
    await sleep(300);
    if (!stopping) { await pingThrough("tunnel"); await pingThrough("gateway"); }
  }

  const statusAt = Math.min(25, SECONDS - 5) * 1000;
  await sleep(Math.max(0, t0 + statusAt - Date.now()));
  if (!stopping && g.l.status !== "off") {
    console.log(`\n${stamp()} $ gateway status   (like swanctl --list-sas)`);
    const [c, a] = inNs("gateway", bin("deno"), ["run", "-A", "--quiet", "runtimes/deno/gateway.ts", "status", "--url", g.l.status]);
    const s = spawn(c, a, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = ""; s.stdout.setEncoding("utf8").on("data", (d) => { out += d; });
    await new Promise((r) => s.on("close", r));
    console.log(out.replace(/^/gm, "    "));
  }
  // After the rekeys: the traffic still flows on the new Child SAs.
  if (withTun && !stopping) { await sleep(Math.max(0, t0 + (SECONDS - 4) * 1000 - Date.now())); if (!stopping) await pingThrough("tunnel"); }
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
  const ok = tcode === 0 && gcode === 0 && stats.ikeUp > 0 && stats.pingsOk === stats.pings;
  console.log(`\n${stamp()} done: ${stats.ikeUp} IKE SA established, ${stats.ikeRekeyed} IKE rekey(s), ${stats.childRekeyed} Child SA rekey(s), ` +
    `${withTun ? `${stats.pingsOk} of ${stats.pings} ping runs through the tunnel answered, ` : ""}${stats.warnings} warning(s); ` +
    `tunnel exit ${tcode}, gateway exit ${gcode}`);
  if (!ok) process.stderr.write(`demo failed\n--- tunnel stderr\n${tun.stderr}\n--- gateway stderr\n${gw.stderr}\n`);
  code = ok ? 0 : 1;
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
  tun?.child.kill("SIGKILL");
  gw?.child.kill("SIGKILL");
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (withTun) { await sleep(200); netDown(); }
}
process.exit(code);
