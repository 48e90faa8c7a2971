// Traffic between our own programs (issue 6): the Bun edge tunnel in namespace A and the Deno (or
// Node) gateway in namespace B of a lab (test/interop/lab.mjs: two namespaces joined by a veth,
// 198.18.0.1 / 198.18.0.2; charon is not started), both with a `tun` section, as real processes.
// Ping and iperf3 run through the two TUN devices, so every inner packet crosses the veth as ESP in
// UDP 4500: there is no other route between the inner subnets (the lab's namespaces have no default
// route), so a broken ESP path fails ping and iperf3, and the ESP counters must account for the bytes.
//
// Inner addresses: each program puts its own address on its TUN device (tun.addresses) and the
// selectors are the two /24s, so `routes: auto` adds a subnet route on each side while the Child SA is
// up. The subnets are 198.19.101.0/24 (tunnel) and 198.19.102.0/24 (gateway), inside the lab's
// benchmarking range 198.18.0.0/15 (RFC 2544) rather than a private range, apart from the lab's
// loopback addresses (198.19.1.1, 198.19.2.1), which stay unused here.
//
// Rekeys are ours: the tunnel's Child SA has rekeyTime 3 s with jitter 0 (or a rekeyBytes limit), so
// each 6-second iperf3 transfer (-i 1 -J, paced at 40 Mbit/s: see RATE) crosses at least one rekey; we
// assert no 1-second interval falls below a tenth of the median (no stall), no ICV failures, that the
// ESP counters grew by at least what iperf3 moved, and counters that agree on both sides (ESP lost
// between them only where the kernel says it dropped datagrams on a full socket buffer).
// The Node gateway is bundled by test/runtimes/procs.ts (esbuild, as `npm run build` makes dist/node/),
// so no dist/ is needed. A failing case keeps both programs' output, their /status and the namespaces'
// UDP counters under test/interop/out/ours-<case>/. OURS_TRAFFIC_RATE=0 runs iperf3 unpaced.
// Runs under the Node test runner only and needs root: `node scripts/test-all.mjs --filter ours-traffic --only node`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../lib/harness.ts";
import type { StatusSnapshot, ChildSaStatus } from "../../ts/io/status.ts";
import { Proc, command, tempDir, writeFile, type Line, type Rt } from "../runtimes/procs.ts";
import { OUT_DIR, requireLab, until } from "./live.ts";
// @ts-ignore: plain JS lab tooling shared with scripts/record-strongswan.mjs
import { createLab, ADDRESSES } from "./lab.mjs";

const ONLY_NODE = { runtimes: ["node" as const], timeoutMs: 90_000 };

const TUN_NET = "198.19.101.0/24", GW_NET = "198.19.102.0/24";
const TUN_IP = "198.19.101.1", GW_IP = "198.19.102.1";
const TUN_DEV = "skstun0", GW_DEV = "sksgw0";
const GW_STATUS = 8787, TUN_STATUS = 8788;
const PSK = "skeyseed-ours-traffic-psk";
const IKE = "aes128gcm16-prfsha256-x25519";

interface ChildOpts { esp: string; rekeyTime?: number; rekeyBytes?: number }

function gatewayConfig(o: ChildOpts): string {
  return JSON.stringify({
    gateway: {
      listen: [ADDRESSES.addrB], port: 500, nattPort: 4500, logLevel: "debug", provider: "wasm",
      status: { enabled: true, port: GW_STATUS }, shutdownGrace: 2,
      tun: { name: GW_DEV, addresses: [`${GW_IP}/24`], routes: "auto" },
    },
    connections: [{
      name: "edge", local: { id: "gateway.example", address: ADDRESSES.addrB }, remote: { id: "tunnel.example" }, psk: PSK,
      ike: { proposals: IKE, rekeyTime: 0, jitter: 0, dpdDelay: 0 },
      // The gateway never rekeys by itself: every rekey in these cases is the tunnel's.
      children: [{ name: "net", esp: o.esp, localTs: [GW_NET], remoteTs: [TUN_NET], rekeyTime: 0, jitter: 0 }],
    }],
  }, null, 2);
}

function tunnelConfig(o: ChildOpts): string {
  const rekeyTime = o.rekeyTime ?? 0;
  return JSON.stringify({
    tunnel: {
      listen: [ADDRESSES.addrA], logLevel: "debug", provider: "wasm", status: { enabled: true, port: TUN_STATUS }, shutdownGrace: 2,
      reconnect: { initial: 1, max: 2, jitter: 0 },
      tun: { name: TUN_DEV, addresses: [`${TUN_IP}/24`], routes: "auto" },
    },
    connections: [{
      name: "hq", local: { id: "tunnel.example", address: ADDRESSES.addrA }, remote: { id: "gateway.example", address: ADDRESSES.addrB }, psk: PSK,
      ike: { proposals: IKE, rekeyTime: 0, jitter: 0, dpdDelay: 0 },
      // lifeTime well past rekeyTime: the hard limit must not race the rekey on a loaded machine.
      children: [{
        name: "net", esp: o.esp, localTs: [TUN_NET], remoteTs: [GW_NET], rekeyTime, ...(rekeyTime ? { lifeTime: rekeyTime + 20 } : {}), jitter: 0,
        ...(o.rekeyBytes ? { rekeyBytes: o.rekeyBytes, lifeBytes: o.rekeyBytes * 4 } : {}),
      }],
    }],
  }, null, 2);
}

interface Pair {
  lab: any;
  dir: string;
  gw: Proc;
  tun: Proc;
  gwRt: Rt;
  /** /status of one side, read inside its namespace. */
  status(side: "gw" | "tun"): Promise<StatusSnapshot>;
  exec(side: "gw" | "tun", argv: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  notes: string[];
}

/**
 * A lab with the gateway (gwRt) in namespace B and the Bun tunnel in namespace A, both up with one
 * Child SA and their routes. On failure the programs' output is kept under test/interop/out/<name>/.
 */
async function withPair(name: string, gwRt: Rt, o: ChildOpts, fn: (p: Pair) => Promise<void>): Promise<void> {
  requireLab();
  const t0 = Date.now();
  const lab = await createLab({ name });
  const dir = tempDir();
  const procs: Proc[] = [];
  const notes: string[] = [];
  const inNs = (ns: string, cmd: [string, string[]]): [string, string[]] => ["ip", ["netns", "exec", ns, cmd[0], ...cmd[1]]];
  try {
    const gw = new Proc(`${gwRt} gateway`, inNs(lab.nsB, command(gwRt, "gateway", ["--config", writeFile(dir, "gateway.json", gatewayConfig(o))])));
    procs.push(gw);
    await gw.waitFor((x) => x.event === "listening", 20_000, "listening (gateway)");
    const tun = new Proc("bun tunnel", inNs(lab.nsA, command("bun", "tunnel", ["--config", writeFile(dir, "tunnel.json", tunnelConfig(o))])));
    procs.push(tun);
    for (const p of [tun, gw]) {
      await p.waitFor((x) => x.event === "tun-up", 20_000, "tun-up");
      await p.waitFor((x) => x.event === "child-up", 20_000, "child-up");
      await p.waitFor((x) => x.event === "route-added", 5000, "route-added");
    }
    assert.equal(tun.all((x) => x.event === "route-added")[0].route, GW_NET);
    assert.equal(gw.all((x) => x.event === "route-added")[0].route, TUN_NET);
    const nsOf = (side: "gw" | "tun") => (side === "gw" ? lab.nsB : lab.nsA);
    const pair: Pair = {
      lab, dir, gw, tun, gwRt, notes,
      exec: (side, argv, timeoutMs = 20_000) => lab.exec(nsOf(side), argv, { check: false, timeoutMs }),
      async status(side) {
        const port = side === "gw" ? GW_STATUS : TUN_STATUS;
        const r = await pair.exec(side, [process.execPath, "-e", `fetch("http://127.0.0.1:${port}/status").then((r) => r.text()).then((t) => process.stdout.write(t))`]);
        if (r.code !== 0) throw new Error(`/status of the ${side}: ${r.stderr}`);
        return JSON.parse(r.stdout) as StatusSnapshot;
      },
    };
    await fn(pair);
    assert.deepEqual(procs.flatMap((p) => p.all((x) => x.level === "error")), [], "no error lines");
  } catch (e) {
    const out = join(OUT_DIR, `ours-${name}`);
    try {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      for (const [side, ns, port] of [["tunnel", lab.nsA, TUN_STATUS], ["gateway", lab.nsB, GW_STATUS]] as const) {
        const r = await lab.exec(ns, [process.execPath, "-e", `fetch("http://127.0.0.1:${port}/status").then((r) => r.text()).then((t) => process.stdout.write(t))`], { check: false, timeoutMs: 5000 }).catch(() => undefined);
        if (r?.code === 0) writeFileSync(join(out, `${side}.status.json`), r.stdout);
        const snmp = await lab.exec(ns, ["cat", "/proc/net/snmp"], { check: false }).catch(() => undefined);
        if (snmp) writeFileSync(join(out, `${side}.snmp.txt`), snmp.stdout);
      }
      for (const p of procs) {
        p.kill("SIGKILL");
        await p.exit(3000);
        const f = p.name.replace(/\W+/g, "-");
        writeFileSync(join(out, `${f}.stdout.jsonl`), p.stdout);
        writeFileSync(join(out, `${f}.stderr.txt`), p.stderr);
      }
    } catch { /* the original error matters more */ }
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${msg}\n(our programs' output saved in ${out})`);
  } finally {
    console.log(`  [${name}] ${notes.join(`\n  [${name}] `)}\n  [${name}] ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const p of procs) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exit(3000)));
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `count` pings from `side` across the tunnel; all must be answered. */
async function ping(p: Pair, side: "gw" | "tun", count = 3): Promise<void> {
  const [src, dst] = side === "tun" ? [TUN_IP, GW_IP] : [GW_IP, TUN_IP];
  const r = await p.exec(side, ["ping", "-n", "-c", String(count), "-i", "0.2", "-W", "2", "-I", src, dst]);
  assert.match(r.stdout, new RegExp(`${count} packets transmitted, ${count} received`), `ping ${src} -> ${dst} from the ${side}:\n${r.stdout}${r.stderr}`);
}

interface Transfer { mbps: number[]; bytes: number; rekeys: Line[]; seconds: number }

/**
 * iperf3's target rate (its -b, which paces TCP too). Unpaced, the receiving program falls behind the
 * veth on this 2-core machine and the kernel drops ESP (and sometimes IKE) on its full socket buffer,
 * so TCP's loss recovery, not the data plane, decides whether a second looks like a stall. Paced, every
 * second should carry about the same amount, and a rekey that loses packets shows. OURS_TRAFFIC_RATE=0
 * lifts the cap (for throughput figures).
 */
const RATE = process.env.OURS_TRAFFIC_RATE ?? "40M";
/** The byte case's rekeyBytes: a 5-second transfer at RATE (25 MB) crosses it about three times. */
const BYTES_LIMIT = 8_000_000;

/**
 * One iperf3 TCP transfer, tunnel -> gateway (or the reverse with -R), with the server in the gateway's
 * namespace. Asserts exit 0, data in every interval (none below 10% of the median), and returns the
 * figures and the tunnel's child-rekeyed lines logged while it ran.
 */
async function iperf(p: Pair, reverse: boolean, seconds = 6): Promise<Transfer> {
  const srv = spawn("ip", ["netns", "exec", p.lab.nsB, "iperf3", "-s", "-1", "-B", GW_IP], { stdio: ["ignore", "pipe", "pipe"] });
  let srvOut = "";
  srv.stdout.on("data", (d: unknown) => { srvOut += String(d); });
  srv.stderr.on("data", (d: unknown) => { srvOut += String(d); });
  const srvExit = new Promise((r) => srv.on("close", r));
  try {
    await until(async () => (/:5201\b/.test((await p.exec("gw", ["ss", "-Htln"])).stdout) ? true : undefined), 5000, "iperf3 -s to listen");
    const mark = { tun: p.tun.lines.length, gw: p.gw.lines.length };
    const t0 = Date.now();
    const r = await p.exec("tun", ["iperf3", "-c", GW_IP, "-B", TUN_IP, "-t", String(seconds), "-i", "1", "-J", "-b", RATE, ...(reverse ? ["-R"] : [])], (seconds + 20) * 1000);
    const took = (Date.now() - t0) / 1000;
    const what = `iperf3 ${reverse ? "-R (gateway -> tunnel)" : "(tunnel -> gateway)"}`;
    assert.equal(r.code, 0, `${what} exited ${r.code}: ${r.stdout.slice(-1500)}${r.stderr}\n--- iperf3 -s\n${srvOut}`);
    const j = JSON.parse(r.stdout);
    const mbps: number[] = j.intervals.map((i: any) => i.sum.bits_per_second / 1e6);
    const bytes = reverse ? j.end.sum_received.bytes : j.end.sum_sent.bytes;
    const rekeys = p.tun.lines.slice(mark.tun).filter((x) => x.event === "child-rekeyed");
    const at = (x: Line) => ((Date.parse(String(x.time)) - t0) / 1000).toFixed(1);
    const ikeRetransmits = [...p.tun.lines.slice(mark.tun), ...p.gw.lines.slice(mark.gw)].filter((x) => x.event === "retransmit");
    const retr = reverse ? undefined : j.end.sum_sent.retransmits;
    const summary = `${what} -b ${RATE}: ${(j.end.sum_received.bits_per_second / 1e6).toFixed(0)} Mbit/s, intervals ${mbps.map((x) => x.toFixed(0)).join(" ")}, ` +
      `${rekeys.length} rekey(s) at ${rekeys.map(at).join(", ")} s${retr !== undefined ? `, ${retr} TCP retransmits` : ""}, ` +
      `${ikeRetransmits.length} IKE retransmits${ikeRetransmits.length ? ` (${ikeRetransmits.map((x) => `${x.exchange} at ${at(x)} s`).join(", ")})` : ""}, ${took.toFixed(1)} s`;
    p.notes.push(summary);
    assert.ok(mbps.length >= seconds, `${what}: ${mbps.length} intervals`);
    const sorted = [...mbps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    assert.ok(median > 1, `${summary}: median ${median.toFixed(1)} Mbit/s`);
    for (const [i, v] of mbps.entries()) assert.ok(v >= median / 10, `interval ${i} carried ${v.toFixed(1)} Mbit/s, under a tenth of the median ${median.toFixed(1)} (a stall): ${summary}`);
    return { mbps, bytes, rekeys, seconds: took };
  } finally {
    srv.kill("SIGKILL");
    await srvExit;
  }
}

/** The rekeys replaced the Child SA with fresh SPIs each time, and the gateway saw each of them. */
function assertRekeys(p: Pair, rekeys: Line[], what: string): void {
  assert.ok(rekeys.length >= 1, `${what}: the tunnel logged no child-rekeyed during the transfer`);
  const spis = p.tun.all((x) => x.event === "child-up" || x.event === "child-rekeyed").map((x) => x.spiIn);
  assert.equal(new Set(spis).size, spis.length, `every Child SA has a new inbound SPI: ${spis.join(" ")}`);
  for (const r of rekeys) {
    assert.equal(typeof r.replaces, "number");
    assert.ok(p.gw.all((x) => x.event === "child-rekeyed" && x.spiIn === r.spiOut && x.spiOut === r.spiIn).length === 1,
      `${what}: the gateway logged the rekey to ${r.spiIn}/${r.spiOut}`);
  }
}

const sumDrops = (s: StatusSnapshot) => Object.values(s.dataPlane!.drops).reduce((a, b) => a + b, 0);

/** The namespace's UDP counters (/proc/net/snmp is per network namespace): RcvbufErrors, SndbufErrors... */
async function udpStats(p: Pair, side: "gw" | "tun"): Promise<Record<string, number>> {
  const r = await p.exec(side, ["cat", "/proc/net/snmp"]);
  const [names, values] = r.stdout.split("\n").filter((l) => l.startsWith("Udp:")).map((l) => l.trim().split(/\s+/).slice(1));
  return Object.fromEntries(names.map((k, i) => [k, Number(values[i])]));
}

/**
 * Both sides' /status once traffic has stopped: no ICV failures; the same current Child SA (SPIs
 * mirrored), neither side having received more than the other sent on it; every packet in (from the
 * TUN device or as ESP) went out (as ESP or to the TUN device) or was counted as a drop; and ESP
 * packets that one side sent and the other did not receive are all accounted for by the kernel:
 * datagrams dropped on a full socket buffer (UDP RcvbufErrors at the receiver, SndbufErrors at the
 * sender), which may also hold a few IKE messages. Under iperf3 the receiving runtime can fall behind
 * the veth, so some loss is expected; silent loss inside our programs is not.
 */
async function assertCounters(p: Pair): Promise<{ tun: StatusSnapshot; gw: StatusSnapshot }> {
  const both = await until(async () => {
    const tun = await p.status("tun"), gw = await p.status("gw");
    const tc = tun.ikeSas[0]?.children ?? [], gc = gw.ikeSas[0]?.children ?? [];
    if (tun.ikeSas.length !== 1 || gw.ikeSas.length !== 1 || tc.length !== 1 || gc.length !== 1) return undefined;
    if (tc[0].spiOut !== gc[0].spiIn || tc[0].spiIn !== gc[0].spiOut) return undefined; // a rekey under way
    return { tun, gw, tc: tc[0], gc: gc[0] };
  }, 10_000, "both sides to show one Child SA with mirrored SPIs");
  const { tun, gw, tc, gc } = both as { tun: StatusSnapshot; gw: StatusSnapshot; tc: ChildSaStatus; gc: ChildSaStatus };
  const udp = { tun: await udpStats(p, "tun"), gw: await udpStats(p, "gw") };
  for (const [side, s] of [["tunnel", tun], ["gateway", gw]] as const) {
    const dp = s.dataPlane;
    if (!dp) throw new Error(`${side} has no data plane in /status`);
    assert.equal(dp.drops.icv, 0, `${side}: ICV failures ${JSON.stringify(dp.drops)}`);
    const c = dp.counters;
    assert.equal(c.tunPacketsRead + c.espPacketsReceived, c.espPacketsSent + c.noEncapDrops + c.tunPacketsWritten + c.tunWriteErrors + sumDrops(s),
      `${side}: every packet read from the TUN device was sent as ESP or dropped, every ESP packet received was written to the TUN device or dropped: ${JSON.stringify(c)} ${JSON.stringify(dp.drops)}`);
  }
  assert.ok(gc.bytesIn <= tc.bytesOut && gc.packetsIn <= tc.packetsOut, `current Child SA: the gateway received ${gc.packetsIn} packets / ${gc.bytesIn} bytes, the tunnel sent ${tc.packetsOut} / ${tc.bytesOut}`);
  assert.ok(tc.bytesIn <= gc.bytesOut && tc.packetsIn <= gc.packetsOut, `current Child SA: the tunnel received ${tc.packetsIn} packets / ${tc.bytesIn} bytes, the gateway sent ${gc.packetsOut} / ${gc.bytesOut}`);
  const [t, g] = [tun.dataPlane!.counters, gw.dataPlane!.counters];
  const flows = [["tunnel", "gateway", t, g, udp.tun, udp.gw, tun], ["gateway", "tunnel", g, t, udp.gw, udp.tun, gw]] as const;
  for (const [from, to, a, b, ua, ub, sa] of flows) {
    const lost = a.espPacketsSent - b.espPacketsReceived;
    const kernel = ub.RcvbufErrors + ua.SndbufErrors;
    const what = `ESP ${from} -> ${to}: sent ${a.espPacketsSent}, received ${b.espPacketsReceived}, kernel socket-buffer drops ${kernel} (${to} RcvbufErrors ${ub.RcvbufErrors}, ${from} SndbufErrors ${ua.SndbufErrors}), IKE datagrams sent ${sa.counters.sent}`;
    assert.ok(lost >= 0 && lost <= kernel && kernel <= lost + sa.counters.sent, what);
    p.notes.push(`${what}; lost ${(100 * lost / Math.max(1, a.espPacketsSent)).toFixed(1)}%`);
  }
  p.notes.push(`drops tunnel ${JSON.stringify(nonZero(tun.dataPlane!.drops))} gateway ${JSON.stringify(nonZero(gw.dataPlane!.drops))}`);
  return { tun, gw };
}

const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v));

/** The ESP byte counter in the direction of a transfer grew by at least the transfer's TCP payload. */
function assertThroughEsp(before: StatusSnapshot, after: StatusSnapshot, bytes: number, what: string): void {
  const grew = after.dataPlane!.counters.espBytesSent - before.dataPlane!.counters.espBytesSent;
  assert.ok(grew >= bytes, `${what}: ESP bytes sent grew by ${grew}, less than the ${bytes} bytes iperf3 moved`);
}

/** SIGTERM the tunnel: its TUN device and route go; the gateway removes its route once the Child SA is deleted. */
async function stopTunnel(p: Pair): Promise<void> {
  const mark = p.gw.lines.length;
  p.tun.kill("SIGTERM");
  const done = await p.tun.waitFor((x) => x.event === "shutdown-complete", 8000, "shutdown-complete");
  assert.equal(done.clean, true, "the gateway answered the tunnel's Delete");
  assert.equal(await p.tun.exit(5000), 0, "the tunnel exits 0");
  const link = await p.exec("tun", ["ip", "-o", "link", "show"]);
  assert.doesNotMatch(link.stdout, new RegExp(`\\b${TUN_DEV}\\b`), `the tunnel's TUN device is gone:\n${link.stdout}`);
  const route = await p.exec("tun", ["ip", "route", "show", GW_NET]);
  assert.equal(route.stdout.trim(), "", "the tunnel's route to the gateway's subnet is gone");
  const down = await p.gw.waitFor((x) => x.event === "child-down", 5000, "child-down on the gateway", mark);
  assert.equal(down.byPeer, true);
  await until(async () => ((await p.exec("gw", ["ip", "route", "show", TUN_NET])).stdout.trim() === "" ? true : undefined), 3000,
    "the gateway's route to the tunnel's subnet to be removed after the Child SA was deleted");
  const gwLink = await p.exec("gw", ["ip", "-o", "link", "show", GW_DEV]);
  assert.equal(gwLink.code, 0, "the gateway's TUN device stays while the gateway runs");
  const snap = await p.status("gw");
  assert.equal(snap.ikeSas.length, 0, "the gateway has no IKE SA left");
}

/** Pings both ways and a transfer (or two) with rekeys in the middle, then the counters and the stop. */
async function trafficCase(name: string, esp: string, directions: boolean[]): Promise<void> {
  await withPair(name, "deno", { esp, rekeyTime: 3 }, async (p) => {
    await ping(p, "tun");
    await ping(p, "gw");
    for (const reverse of directions) {
      const before = await p.status(reverse ? "gw" : "tun");
      const tr = await iperf(p, reverse);
      assertRekeys(p, tr.rekeys, `iperf3${reverse ? " -R" : ""}`);
      assertThroughEsp(before, await p.status(reverse ? "gw" : "tun"), tr.bytes, `iperf3${reverse ? " -R" : ""}`);
    }
    await assertCounters(p);
    await stopTunnel(p);
  });
}

test("ours traffic: Bun tunnel <-> Deno gateway, AES-GCM (aes128gcm16): ping both ways, iperf3 both ways with a Child SA rekey mid-transfer, counters agree, SIGTERM removes the TUN device and routes", async () => {
  await trafficCase("gcm", "aes128gcm16", [false, true]);
}, ONLY_NODE);

test("ours traffic: Bun tunnel <-> Deno gateway, AES-CBC + HMAC-SHA256 (aes256-sha256): ping both ways, iperf3 both ways with a Child SA rekey mid-transfer, counters agree, SIGTERM removes the TUN device and routes", async () => {
  await trafficCase("cbc", "aes256-sha256", [false, true]);
}, ONLY_NODE);

test("ours traffic: Bun tunnel <-> Deno gateway, rekeyBytes 8 MB: an iperf3 transfer crosses the byte limit, the tunnel logs child-lifetime-soft and rekeys without a stall", async () => {
  await withPair("bytes", "deno", { esp: "aes128gcm16", rekeyBytes: BYTES_LIMIT }, async (p) => {
    await ping(p, "tun");
    const mark = p.tun.lines.length;
    const tr = await iperf(p, false, 5);
    const soft = p.tun.lines.slice(mark).filter((x) => x.event === "child-lifetime-soft");
    assert.ok(soft.length >= 1, "child-lifetime-soft logged");
    assert.equal(soft[0].direction, "out", "the outbound SA (tunnel -> gateway) reached the byte limit first");
    assert.equal(p.tun.all((x) => x.event === "child-lifetime-expired").length, 0, "no Child SA reached its hard limit");
    assertRekeys(p, tr.rekeys, "iperf3");
    // About one rekey per BYTES_LIMIT sent (the inbound SAs carry only ACKs).
    const expected = tr.bytes / BYTES_LIMIT;
    assert.ok(tr.rekeys.length >= Math.floor(expected) - 1 && tr.rekeys.length <= Math.ceil(expected) + 1,
      `${tr.rekeys.length} rekeys for ${tr.bytes} bytes at ${BYTES_LIMIT} each`);
    const st = await p.status("tun");
    assert.ok(st.dataPlane!.counters.rekeysStarted >= tr.rekeys.length, `rekeysStarted ${st.dataPlane!.counters.rekeysStarted}`);
    await assertCounters(p);
  });
}, ONLY_NODE);

test("ours traffic: Bun tunnel <-> Node gateway: ping both ways through the Node TUN adapter, the route goes with the Child SA", async () => {
  await withPair("node-gw", "node", { esp: "aes128gcm16" }, async (p) => {
    await ping(p, "tun", 5);
    await ping(p, "gw", 5);
    const gw = await p.status("gw");
    assert.equal(gw.runtime, "node");
    assert.equal(gw.dataPlane!.device, GW_DEV);
    assert.ok(gw.dataPlane!.counters.tunPacketsWritten >= 10 && gw.dataPlane!.counters.tunPacketsRead >= 10, JSON.stringify(gw.dataPlane!.counters));
    await assertCounters(p);
    await stopTunnel(p);
  });
}, ONLY_NODE);
