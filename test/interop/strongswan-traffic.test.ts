// Traffic through our ESP data plane against a live strongSwan 5.9 (charon with kernel-libipsec, lab of
// two namespaces, test/interop/live.ts): inner packets between 198.19.1.1 (ours, nsA, via our TUN device)
// and 198.19.2.1 (strongSwan's, nsB). Each case pings both ways, runs iperf3 TCP both ways while the
// Child SA is rekeyed under load (by strongSwan with swanctl, and by us from a byte lifetime), checks
// that no one-second interval stalls, that our ICV/replay drop counters stay at zero and that both
// sides' byte counters move; and tshark decrypts our ESP with our key log (esp_sa) to the inner ICMP and
// TCP with a good ICV. A case that fails keeps withLab's evidence plus the iperf3 JSON reports.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { test } from "../lib/harness.ts";
import type { StatusSnapshot } from "../../ts/io/status.ts";
import type { Proc } from "../runtimes/procs.ts";
// @ts-ignore: plain JS lab tooling
import { ADDRESSES, run } from "./lab.mjs";
import { OURS, OUR_ID, OUR_TS, OUT_DIR, PSK, SUN, SUN_ID, SUN_TS, sleep, until, withLab, writeFile, type Lab } from "./live.ts";

const ONLY_NODE = { runtimes: ["node" as const], timeoutMs: 75_000 };
const STATUS_PORT = 8788;
const INNER_OURS = ADDRESSES.innerA as string;
const INNER_SUN = ADDRESSES.innerB as string;
const TUN_NAME = "skstun0";
/** Seconds of each iperf3 run; the rekey is started this long into it (ms). */
const IPERF_SECONDS = 6;
const REKEY_AFTER_MS = 1500;
/** Our byte lifetime (inner bytes per SA half): reached within the reverse transfer down to ~50 Mbit/s. */
const REKEY_BYTES = 32_000_000;

interface Spec { ike: string; esp: string; espTheirs: RegExp; rekeyBytes?: number }

function ourConfig(kind: "gateway" | "tunnel", s: Spec, dir: string): string {
  return JSON.stringify({
    [kind]: {
      listen: [OURS], port: 500, nattPort: 4500, logLevel: "debug", provider: "wasm", keyLogDir: dir,
      status: { enabled: true, port: STATUS_PORT }, shutdownGrace: 2, tun: { name: TUN_NAME },
    },
    connections: [{
      name: "sun", local: { id: OUR_ID, address: OURS }, remote: { id: SUN_ID, ...(kind === "tunnel" ? { address: SUN } : {}) }, psk: PSK,
      ike: { proposals: s.ike, rekeyTime: 0, jitter: 0, dpdDelay: 0 },
      children: [{ name: "live", esp: s.esp, localTs: [OUR_TS], remoteTs: [SUN_TS], rekeyTime: 0, jitter: 0, ...(s.rekeyBytes ? { rekeyBytes: s.rekeyBytes, lifeBytes: s.rekeyBytes * 4 } : {}) }],
    }],
  }, null, 2);
}

// ------------------------------------------------------------------ both sides' view of the Child SA

async function ourStatus(l: Lab, rt: "bun" | "deno", prog: "gateway" | "tunnel"): Promise<StatusSnapshot> {
  return JSON.parse(await l.ourStatus(rt, prog, STATUS_PORT, true)) as StatusSnapshot;
}

interface SwanChild { spiIn: string; spiOut: string; bytesIn: number; bytesOut: number; proposal: string; mode: string }

/** The installed Child SA in `swanctl --list-sas` with its byte counters (strongSwan 5.9 text). */
async function swanChild(l: Lab): Promise<SwanChild | undefined> {
  const sas = (await l.listSas()).filter((x) => x.state === "ESTABLISHED");
  if (sas.length !== 1) return undefined;
  const installed = sas[0].children.filter((c) => c.state === "INSTALLED");
  if (installed.length !== 1) return undefined;
  const c = installed[0];
  const bytes = (dir: string, spi: string) => {
    const m = new RegExp(`^ {4}${dir} +${spi}\\S*, +(\\d+) bytes`, "m").exec(sas[0].text);
    return m ? Number(m[1]) : NaN;
  };
  return { spiIn: c.spiIn, spiOut: c.spiOut, bytesIn: bytes("in", c.spiIn), bytesOut: bytes("out", c.spiOut), proposal: c.proposal, mode: c.mode };
}

/** Polls until both sides show one Child SA with mirrored SPIs (a rekey may be finishing). */
async function agreedChild(l: Lab, status: () => Promise<StatusSnapshot>): Promise<{ snap: StatusSnapshot; ours: StatusSnapshot["ikeSas"][number]["children"][number]; theirs: SwanChild }> {
  let last = "";
  return until(async () => {
    const snap = await status();
    const theirs = await swanChild(l);
    const ours = snap.ikeSas.length === 1 && snap.ikeSas[0].children.length === 1 ? snap.ikeSas[0].children[0] : undefined;
    last = `ours ${JSON.stringify(snap.ikeSas.map((i) => i.children.map((c) => [c.spiIn, c.spiOut])))}; theirs ${JSON.stringify(theirs && [theirs.spiIn, theirs.spiOut])}`;
    if (!ours || !theirs || ours.spiIn !== theirs.spiOut || ours.spiOut !== theirs.spiIn) return undefined;
    return { snap, ours, theirs };
  }, 10_000, "one Child SA with mirrored SPIs on both sides").catch((e) => { throw new Error(`${e.message}: ${last}\n${l.lastListSas}`); });
}

// ------------------------------------------------------------------ ping and iperf3

async function ping(l: Lab, ns: string, from: string, to: string, count = 5): Promise<void> {
  const r = await l.lab.exec(ns, ["ping", "-n", "-c", String(count), "-i", "0.2", "-W", "2", "-I", from, to], { check: false, timeoutMs: 20_000 });
  assert.equal(r.code, 0, `ping ${from} -> ${to} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, new RegExp(`${count} packets transmitted, ${count} received`), `ping ${from} -> ${to} lost packets:\n${r.stdout}`);
}

/** The namespace's UDP RcvbufErrors/InErrors (/proc/net/snmp): datagrams, IKE included, lost before a socket read them. */
async function udpErrors(l: Lab, ns: string): Promise<string> {
  const r = await l.lab.exec(ns, ["cat", "/proc/net/snmp"], { check: false });
  const [head, vals] = r.stdout.split("\n").filter((x: string) => x.startsWith("Udp:")).map((x: string) => x.split(/\s+/));
  if (!head || !vals) return "?";
  const v = (k: string) => vals[head.indexOf(k)];
  return `${v("RcvbufErrors")}/${v("InErrors")}`;
}

/** The iperf3 -J reports of the case, for the failure message and the evidence folder. */
type Reports = { name: string; json: string }[];

interface IperfResult { bps: number[]; sentBytes: number; receivedBytes: number; mbps: number; udp: string }

/**
 * iperf3 TCP from `clientNs` (bound to `from`) to a one-off server on `to` in `serverNs`, `IPERF_SECONDS`
 * long, 1-second intervals; `during` runs while it transfers. Asserts exit 0 and no stalled interval.
 */
async function iperf(l: Lab, reports: Reports, what: string, o: { clientNs: string; serverNs: string; from: string; to: string; reverse: boolean },
  during: () => Promise<void>, explain: () => Promise<string>): Promise<IperfResult> {
  const server = spawn("ip", ["netns", "exec", o.serverNs, "iperf3", "-s", "-1", "-B", o.to], { stdio: "ignore" });
  try {
    await until(async () => {
      const r = await l.lab.exec(o.serverNs, ["ss", "-Hltn", "sport = :5201"], { check: false });
      return r.stdout.includes(o.to) ? true : undefined;
    }, 5000, "the iperf3 server to listen");
    const client = l.lab.exec(o.clientNs, ["iperf3", "-c", o.to, "-B", o.from, "-t", String(IPERF_SECONDS), "-i", "1", "-J", "--connect-timeout", "3000",
      ...(o.reverse ? ["-R"] : [])], { check: false, timeoutMs: (IPERF_SECONDS + 15) * 1000 });
    let duringError: unknown;
    await during().catch((e) => { duringError = e; });
    const r = await client;
    const udp = `UDP errors (RcvbufErrors/InErrors) ours ${await udpErrors(l, o.clientNs)}, strongSwan's ${await udpErrors(l, o.serverNs)}`;
    reports.push({ name: `${what} (${udp})`, json: r.stdout });
    if (duringError) throw duringError;
    let rep: any;
    try { rep = JSON.parse(r.stdout); } catch { throw new Error(`${what}: iperf3 printed no JSON (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr}`); }
    assert.equal(r.code, 0, `${what}: iperf3 exited ${r.code}: ${rep.error ?? r.stderr}`);
    // Whole intervals only: iperf3 may end with a sliver of a second.
    const iv = (rep.intervals as any[]).map((x) => x.sum).filter((x) => x.seconds > 0.5);
    const bps = iv.map((x) => x.bits_per_second as number);
    assert.ok(bps.length >= IPERF_SECONDS - 1, `${what}: ${bps.length} intervals`);
    const median = [...bps].sort((a, b) => a - b)[bps.length >> 1];
    const stalled = bps.map((b, i) => ({ i, b })).filter((x) => !(x.b > 0.1 * median));
    if (stalled.length) {
      assert.deepEqual(stalled, [], `${what}: intervals below 10% of the median ${(median / 1e6).toFixed(1)} Mbit/s: ${bps.map((b) => (b / 1e6).toFixed(1)).join(", ")}; ${udp}; ${await explain()}`);
    }
    return {
      bps, sentBytes: rep.end.sum_sent.bytes, receivedBytes: rep.end.sum_received.bytes,
      mbps: rep.end.sum_received.bits_per_second / 1e6, udp,
    };
  } finally {
    if (server.exitCode === null) server.kill("SIGKILL");
  }
}

// ------------------------------------------------------------------ tshark on our ESP

/**
 * tshark decrypts the ESP we sent (outer source 198.18.0.1, UDP 4500) with our esp_sa key log: each
 * packet must carry inner 198.19.1.1 -> 198.19.2.1, be ICMP or TCP, and have a good ICV.
 */
async function tsharkDecryptsOurs(pcap: string, keyDir: string): Promise<{ icmp: number; tcp: number }> {
  const env = { WIRESHARK_CONFIG_DIR: keyDir, HOME: keyDir };
  const r = await run(["tshark", "-r", pcap, "-n", "-d", "udp.port==4500,udpencap", "-o", "esp.enable_encryption_decode:TRUE",
    "-o", "esp.enable_authentication_check:TRUE", "-Y", `ip.src == ${OURS} && udp.srcport == 4500 && esp`,
    "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
    "-e", "frame.number", "-e", "esp.spi", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto", "-e", "esp.icv_good", "-e", "esp.icv_bad"],
  { env, timeoutMs: 60_000 });
  assert.ok(!/esp_sa|UAT|invalid/i.test(r.stderr), `tshark complained about our esp_sa: ${r.stderr}`);
  const problems: string[] = [];
  let icmp = 0, tcp = 0;
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [frame, spi, src, dst, proto, good, bad] = line.split("|");
    const srcs = src.split(","), dsts = dst.split(","), protos = proto.split(",");
    if (srcs[1] !== INNER_OURS || dsts[1] !== INNER_SUN) { problems.push(`frame ${frame} (SPI ${spi}): not decrypted to ${INNER_OURS} -> ${INNER_SUN} (ip.src ${src}, ip.dst ${dst})`); continue; }
    if (good !== "1" || bad === "1") { problems.push(`frame ${frame} (SPI ${spi}): icv_good=${good} icv_bad=${bad}`); continue; }
    if (protos[1] === "1") icmp++;
    else if (protos[1] === "6") tcp++;
    else problems.push(`frame ${frame}: inner protocol ${protos[1]}`);
  }
  assert.deepEqual(problems, [], `tshark on ${pcap}`);
  return { icmp, tcp };
}

// ------------------------------------------------------------------ one case

interface CaseResult { mbps: { forward: number; reverse: number }; udp: string; rekeys: number; drops: Record<string, number>; tshark: { icmp: number; tcp: number } }

/**
 * The body shared by both cases once the Child SA is up: pings both ways under a capture that tshark
 * then decrypts; iperf3 both ways, each with a Child SA rekey mid-transfer (strongSwan's swanctl --rekey
 * in the forward one; in the reverse one strongSwan's again or, with `reverseRekey: "ours"`, our byte
 * lifetime); counters on both sides.
 */
async function traffic(l: Lab, p: Proc, reports: Reports, status: () => Promise<StatusSnapshot>, s: Spec,
  reverseRekey: "strongswan" | "ours"): Promise<CaseResult> {
  const { nsA, nsB, ifA } = l.lab;
  await p.waitFor((x) => x.event === "route-added", 5000, "route-added");
  const first = await agreedChild(l, status);
  assert.match(first.theirs.proposal, s.espTheirs);
  assert.equal(first.theirs.mode, "TUNNEL-in-UDP");
  assert.ok(first.snap.dataPlane, "/status has a dataPlane section");
  assert.equal(first.snap.dataPlane!.device, TUN_NAME);

  // Pings both ways and a short TCP exchange, captured on our veth for tshark.
  const pcapFile = join(l.dir, "traffic.pcap");
  const cap = await l.lab.capture(nsA, ifA, { filter: "udp port 4500", file: pcapFile });
  try {
    await ping(l, nsA, INNER_OURS, INNER_SUN);
    await ping(l, nsB, INNER_SUN, INNER_OURS);
    const server = spawn("ip", ["netns", "exec", nsB, "iperf3", "-s", "-1", "-B", INNER_SUN], { stdio: "ignore" });
    try {
      await until(async () => ((await l.lab.exec(nsB, ["ss", "-Hltn", "sport = :5201"], { check: false })).stdout.includes(INNER_SUN) ? true : undefined), 5000, "iperf3 server");
      const t = await l.lab.exec(nsA, ["iperf3", "-c", INNER_SUN, "-B", INNER_OURS, "-n", "64K", "--connect-timeout", "3000"], { check: false, timeoutMs: 15_000 });
      assert.equal(t.code, 0, `short iperf3 for the capture: ${t.stdout}${t.stderr}`);
    } finally { if (server.exitCode === null) server.kill("SIGKILL"); }
  } finally { await cap.stop(); }
  const tshark = await tsharkDecryptsOurs(pcapFile, l.dir);
  assert.ok(tshark.icmp >= 10, `tshark found ${tshark.icmp} ICMP packets of ours (5 echo requests + 5 replies expected)`);
  assert.ok(tshark.tcp >= 10, `tshark found ${tshark.tcp} TCP segments of ours`);

  // Byte counters on both sides move with a few pings (same Child SA before and after).
  const before = await agreedChild(l, status);
  await ping(l, nsA, INNER_OURS, INNER_SUN);
  await ping(l, nsB, INNER_SUN, INNER_OURS);
  const after = await agreedChild(l, status);
  assert.equal(after.ours.spiIn, before.ours.spiIn, "no rekey between the counter readings");
  const icmpBytes = 10 * 84; // 5 requests + 5 replies each way, 84-byte IPv4 ICMP echo packets
  assert.ok(after.ours.bytesOut - before.ours.bytesOut >= icmpBytes, `our bytesOut moved ${before.ours.bytesOut} -> ${after.ours.bytesOut}`);
  assert.ok(after.ours.bytesIn - before.ours.bytesIn >= icmpBytes, `our bytesIn moved ${before.ours.bytesIn} -> ${after.ours.bytesIn}`);
  assert.ok(after.ours.packetsOut - before.ours.packetsOut >= 10 && after.ours.packetsIn - before.ours.packetsIn >= 10);
  assert.ok(after.theirs.bytesOut - before.theirs.bytesOut >= icmpBytes, `strongSwan's out bytes moved ${before.theirs.bytesOut} -> ${after.theirs.bytesOut}`);
  assert.ok(after.theirs.bytesIn - before.theirs.bytesIn >= icmpBytes, `strongSwan's in bytes moved ${before.theirs.bytesIn} -> ${after.theirs.bytesIn}`);

  // iperf3 both ways with a Child SA rekey under load.
  const rekeyCount = () => p.all((x) => x.event === "child-rekeyed").length;
  const rekeysAtStart = rekeyCount();
  const bySwanctl = async () => {
    await sleep(REKEY_AFTER_MS);
    const spi = (await swanChild(l))?.spiIn;
    const mark = p.lines.length;
    const r = await l.swanctl(["--rekey", "--child", "live"], { check: false });
    assert.equal(r.code, 0, `swanctl --rekey: ${r.stdout}${r.stderr}`);
    await p.waitFor((x) => x.event === "child-rekeyed", 8000, "child-rekeyed (strongSwan's rekey under load)", mark);
    const now = await swanChild(l);
    assert.ok(now && now.spiIn !== spi, `strongSwan shows a new inbound SPI after its rekey (${spi} -> ${now?.spiIn})`);
  };
  const byUs = async () => {
    // Our byte lifetime starts the rekey; nothing to do but check it happened while iperf3 runs.
    const mark = p.lines.length;
    await p.waitFor((x) => x.event === "child-lifetime-soft", (IPERF_SECONDS - 1) * 1000, "child-lifetime-soft (our byte lifetime under load)", mark);
    await p.waitFor((x) => x.event === "child-rekeyed", 5000, "child-rekeyed (our rekey under load)", mark);
  };
  // What our side did during a transfer, for a stall's message: rekeys, lifetimes, retransmits.
  const explain = (from: number) => async () => {
    const drops = await status().then((x) => JSON.stringify(x.dataPlane?.drops), (e) => `unavailable (${e.message})`);
    return `our drops ${drops}; our log meanwhile:\n` + p.lines.slice(from).filter((x) => /child-|retransmit|esp-retired/.test(x.event))
      .map((x) => `  ${String(x.time ?? "").slice(11)} ${x.event} ${x.sa ?? x.child ?? ""} ${x.direction ?? ""} ${x.exchange ?? x.reason ?? ""}`).join("\n");
  };
  let mark = p.lines.length;
  const fwd = await iperf(l, reports, "iperf3 ours -> strongSwan", { clientNs: nsA, serverNs: nsB, from: INNER_OURS, to: INNER_SUN, reverse: false }, bySwanctl, explain(mark));
  assert.ok(p.lines.slice(mark).some((x) => x.event === "child-rekeyed"), "a Child SA rekey during the forward transfer");
  mark = p.lines.length;
  const rev = await iperf(l, reports, "iperf3 strongSwan -> ours (-R)", { clientNs: nsA, serverNs: nsB, from: INNER_OURS, to: INNER_SUN, reverse: true },
    reverseRekey === "ours" ? byUs : bySwanctl, explain(mark));
  assert.ok(p.lines.slice(mark).some((x) => x.event === "child-rekeyed"), "a Child SA rekey during the reverse transfer");

  const end = await agreedChild(l, status);
  const dp = end.snap.dataPlane!;
  assert.equal(dp.drops.icv, 0, `no ICV failures: ${JSON.stringify(dp.drops)}`);
  assert.equal(dp.drops.replay, 0, `no replay drops: ${JSON.stringify(dp.drops)}`);
  assert.ok(dp.counters.espBytesSent >= fwd.sentBytes, `ESP bytes sent ${dp.counters.espBytesSent} cover iperf3's ${fwd.sentBytes}`);
  assert.ok(dp.counters.espBytesReceived >= rev.receivedBytes, `ESP bytes received ${dp.counters.espBytesReceived} cover iperf3's ${rev.receivedBytes}`);
  assert.ok(end.ours.bytesOut > 0 && end.ours.bytesIn > 0 && end.theirs.bytesIn > 0 && end.theirs.bytesOut > 0, "the current Child SA carried traffic on both sides");
  assert.equal(p.all((x) => x.level === "error").length, 0, `no error lines: ${JSON.stringify(p.all((x) => x.level === "error"))}`);
  return { mbps: { forward: fwd.mbps, reverse: rev.mbps }, udp: rev.udp, rekeys: rekeyCount() - rekeysAtStart, drops: dp.drops, tshark };
}

/** The part of an iperf3 -J report that explains a failure: its error, Mbit/s per interval, totals. */
function iperfSummary(json: string): string {
  try {
    const rep = JSON.parse(json);
    return JSON.stringify({
      error: rep.error, intervalsMbps: (rep.intervals ?? []).map((x: any) => +(x.sum.bits_per_second / 1e6).toFixed(1)),
      retransmits: rep.end?.sum_sent?.retransmits, sentBytes: rep.end?.sum_sent?.bytes, receivedBytes: rep.end?.sum_received?.bytes,
    });
  } catch { return `not JSON: ${json.slice(0, 300)}`; }
}

/** withLab, with the iperf3 reports added to the evidence and the message when the case fails. */
async function withTrafficLab(name: string, vars: Record<string, string>, fn: (l: Lab, reports: Reports) => Promise<void>): Promise<void> {
  const reports: Reports = [];
  try {
    await withLab(name, vars, (l) => fn(l, reports));
  } catch (e) {
    const out = join(OUT_DIR, name.replace(/[^a-zA-Z0-9._-]+/g, "_"));
    try { mkdirSync(out, { recursive: true }); for (const [i, r] of reports.entries()) writeFileSync(join(out, `iperf3-${i}.json`), r.json); } catch { /* the error matters more */ }
    const summary = reports.map((r) => `--- ${r.name}: ${iperfSummary(r.json)}`).join("\n");
    throw new Error(`${e instanceof Error ? e.message : String(e)}${reports.length ? `\n(iperf3 JSON also in ${out})\n${summary}` : ""}`);
  }
}

const report = (name: string, r: CaseResult) =>
  console.log(`  ${name}: forward ${r.mbps.forward.toFixed(0)} Mbit/s, reverse ${r.mbps.reverse.toFixed(0)} Mbit/s, ${r.rekeys} Child SA rekeys under load, tshark ${r.tshark.icmp} ICMP + ${r.tshark.tcp} TCP, drops ${JSON.stringify(Object.fromEntries(Object.entries(r.drops).filter(([, v]) => v)))}, ${r.udp}`);

test("strongSwan traffic: Bun tunnel initiates, AES-GCM-128: ping both ways, tshark decrypts our ESP, iperf3 both ways through Child SA rekeys by strongSwan and by our byte lifetime", async () => {
  const s: Spec = { ike: "aes128gcm16-prfsha256-x25519", esp: "aes128gcm16", espTheirs: /^ESP:AES_GCM_16-128$/, rekeyBytes: REKEY_BYTES };
  await withTrafficLab("traffic-bun-tunnel-gcm", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s" }, async (l, reports) => {
    const tun = l.startOurs("bun", "tunnel", writeFile(l.dir, "tunnel.json", ourConfig("tunnel", s, l.dir)));
    await tun.waitFor((x) => x.event === "child-up", 20_000, "child-up");
    const r = await traffic(l, tun, reports, () => ourStatus(l, "bun", "tunnel"), s, "ours");
    report("bun tunnel, aes128gcm16", r);
  });
}, ONLY_NODE);

test("strongSwan traffic: Deno gateway responds, AES-CBC-128 + HMAC-SHA-256: ping both ways, tshark decrypts our ESP, iperf3 both ways through Child SA rekeys by strongSwan", async () => {
  const s: Spec = { ike: "aes128-sha256-x25519", esp: "aes128-sha256", espTheirs: /^ESP:AES_CBC-128\/HMAC_SHA2_256_128$/ };
  await withTrafficLab("traffic-deno-gateway-cbc", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, REMOTE_ID: OUR_ID, LOCAL_ID: SUN_ID, DPD_DELAY: "0s" }, async (l, reports) => {
    const gw = l.startOurs("deno", "gateway", writeFile(l.dir, "gateway.json", ourConfig("gateway", s, l.dir)));
    await gw.waitFor((x) => x.event === "listening", 15_000, "listening");
    const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], { check: false });
    assert.equal(init.code, 0, `swanctl --initiate: ${init.stdout}\n${init.stderr}`);
    await gw.waitFor((x) => x.event === "child-up", 5000, "child-up");
    const r = await traffic(l, gw, reports, () => ourStatus(l, "deno", "gateway"), s, "strongswan");
    report("deno gateway, aes128-sha256", r);
  });
}, ONLY_NODE);

test("strongSwan traffic: Bun tunnel initiates, AES-CBC-256 + HMAC-SHA-256: ping both ways, tshark decrypts our ESP, iperf3 both ways through Child SA rekeys by strongSwan and by our byte lifetime", async () => {
  const s: Spec = { ike: "aes256-sha256-x25519", esp: "aes256-sha256", espTheirs: /^ESP:AES_CBC-256\/HMAC_SHA2_256_128$/, rekeyBytes: REKEY_BYTES };
  await withTrafficLab("traffic-bun-tunnel-cbc", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s" }, async (l, reports) => {
    const tun = l.startOurs("bun", "tunnel", writeFile(l.dir, "tunnel.json", ourConfig("tunnel", s, l.dir)));
    await tun.waitFor((x) => x.event === "child-up", 20_000, "child-up");
    const r = await traffic(l, tun, reports, () => ourStatus(l, "bun", "tunnel"), s, "ours");
    report("bun tunnel, aes256-sha256", r);
  });
}, ONLY_NODE);
