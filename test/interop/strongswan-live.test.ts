// skeyseed against a live strongSwan 5.9 (charon with kernel-libipsec) in a lab of two network
// namespaces (test/interop/live.ts, lab.mjs): the Deno gateway answering strongSwan, the Bun edge tunnel
// connecting to it, and the Node library in both roles, for three proposals. Each case establishes
// the IKE SA and a Child SA (floating to UDP 4500: libipsec announces NAT at once), rekeys the Child SA
// and the IKE SA from both sides, checks liveness both ways and deletes from one side, asserting on
// our logs and status output and on `swanctl --list-sas`. A wrong PSK must fail cleanly on both sides.
// These tests drive all three runtimes from the Node harness and need root: `npm run test:interop`.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import type { StatusSnapshot } from "../../ts/io/status.ts";
import { readFileSync } from "node:fs";
import type { Proc } from "../runtimes/procs.ts";
import { OURS, OURS6, SUN6, OUR_ID, OUR_TS, PSK, SUITES, SUN, SUN_ID, SUN_TS, until, withLab, writeFile, type Lab, type Line, type Suite, type SwanSa } from "./live.ts";

const ONLY_NODE = { runtimes: ["node" as const], timeoutMs: 120_000 };
const STATUS_PORT = 8787;


/** Our side's configuration (a gateway or tunnel file): timers short enough to rekey within a case. */
function ourConfig(kind: "gateway" | "tunnel", s: Suite, dir: string, o: { psk?: string; childRekey?: number; ikeRekey?: number; dpd?: number; start?: boolean } = {}): string {
  return JSON.stringify({
    [kind]: {
      listen: [OURS], port: 500, nattPort: 4500, logLevel: "debug", provider: "wasm", keyLogDir: dir,
      status: { enabled: true, port: STATUS_PORT }, shutdownGrace: 3,
      ...(kind === "tunnel" ? { reconnect: { initial: 1, max: 2, jitter: 0 } } : {}),
    },
    connections: [{
      name: "sun", local: { id: OUR_ID, address: OURS }, remote: { id: SUN_ID, ...(kind === "tunnel" || o.start ? { address: SUN } : {}) },
      psk: o.psk ?? PSK, ...(o.start ? { start: true } : {}),
      ike: { proposals: s.ike, rekeyTime: o.ikeRekey ?? 0, jitter: 0, dpdDelay: o.dpd ?? 0 },
      children: [{ name: "live", esp: s.esp, localTs: [OUR_TS], remoteTs: [SUN_TS], rekeyTime: o.childRekey ?? 0, jitter: 0 }],
    }],
  }, null, 2);
}

/**
 * Both sides agree, polled until they do (rekeys by timers may be under way): one established IKE SA
 * with the same SPIs, and one installed Child SA whose SPIs mirror ours. Then the details are checked.
 */
async function assertSame(l: Lab, ourStatus: () => Promise<StatusSnapshot>, s: Suite): Promise<{ ours: StatusSnapshot; theirs: SwanSa }> {
  let snap: StatusSnapshot | undefined;
  const both = await until(async () => {
    snap = await ourStatus();
    const sas = (await l.listSas()).filter((x) => x.state === "ESTABLISHED");
    if (snap.ikeSas.length !== 1 || sas.length !== 1) return undefined;
    const [o, t] = [snap.ikeSas[0], sas[0]];
    const tc = t.children.filter((c) => c.state === "INSTALLED");
    if (o.spiI !== t.spiI || o.spiR !== t.spiR || o.children.length !== 1 || tc.length !== 1) return undefined;
    if (tc[0].spiIn !== o.children[0].spiOut || tc[0].spiOut !== o.children[0].spiIn) return undefined;
    return { ours: snap, theirs: { ...t, children: tc } };
  }, 15_000, "our status and swanctl --list-sas to show the same IKE SA and Child SA").catch((e) => {
    throw new Error(`${e.message}\n--- swanctl --list-sas\n${l.lastListSas}--- ours\n${JSON.stringify(snap?.ikeSas)}`);
  });
  const ours = both.ours.ikeSas[0], theirs = both.theirs;
  const [c] = ours.children, [tc] = theirs.children;
  assert.match(ours.suite, s.ours);
  assert.match(theirs.text, s.theirs);
  assert.match(theirs.text, new RegExp(`local  '${SUN_ID}' @ ${SUN.replace(/\./g, "\\.")}\\[4500\\]`), "strongSwan floated to 4500");
  assert.match(theirs.text, new RegExp(`remote '${OUR_ID}' @ ${OURS.replace(/\./g, "\\.")}\\[4500\\]`));
  assert.equal(ours.remote, `${SUN}:4500`, "we followed the float to 4500 (RFC 7296 §2.23)");
  assert.equal(ours.localId, OUR_ID);
  assert.equal(ours.remoteId, SUN_ID);
  assert.equal(tc.mode, "TUNNEL-in-UDP");
  assert.match(tc.proposal, s.espTheirs);
  assert.deepEqual(c.localTs, [OUR_TS]);
  assert.deepEqual(c.remoteTs, [SUN_TS]);
  return both;
}

/** Our status through the program's `status` subcommand: the table and the JSON snapshot. */
async function programStatus(l: Lab, rt: "deno" | "bun", prog: "gateway" | "tunnel"): Promise<StatusSnapshot> {
  const snap = JSON.parse(await l.ourStatus(rt, prog, STATUS_PORT, true)) as StatusSnapshot;
  const table = await l.ourStatus(rt, prog, STATUS_PORT);
  for (const i of snap.ikeSas) {
    assert.match(table, new RegExp(`^sun: #${i.id}, ESTABLISHED, IKEv2, ${i.spiI}_i${i.initiator ? "\\*" : ""} ${i.spiR}_r${i.initiator ? "" : "\\*"}$`, "m"));
    for (const c of i.children) assert.match(table, new RegExp(`^  live: #${c.id}, INSTALLED, TUNNEL, ESP:`, "m"));
  }
  return snap;
}

const count = (p: { lines: Line[] }, pred: (x: Line) => boolean) => p.lines.filter(pred).length;

/** charon logged a DPD it sent (empty INFORMATIONAL request) and our answer. */
function charonDpdAnswered(log: string): boolean {
  return /<live\|(\d+)> generating INFORMATIONAL request (\d+) \[ \][\s\S]*?<live\|\1> parsed INFORMATIONAL response \2 \[ \]/.test(log);
}

/**
 * For the programs (timers, no commands): strongSwan rekeys the Child SA and then the IKE SA; then our
 * soft lifetimes (Child SA 5 s, IKE SA 9 s) rekey both from our side; and our liveness check (after
 * 2 s without a message from strongSwan, an empty INFORMATIONAL, §1.4) is answered. charon's own DPD
 * is checked in the Node cases: whichever side checks first keeps the other from seeing an idle peer.
 */
async function rekeysAndLiveness(l: Lab, p: Proc, status: () => Promise<StatusSnapshot>, s: Suite): Promise<void> {
  let mark = p.lines.length;
  await l.swanctl(["--rekey", "--child", "live"]);
  await p.waitFor((x) => x.event === "child-rekeyed", 10_000, "child-rekeyed (strongSwan's rekey)", mark);
  mark = p.lines.length;
  await l.swanctl(["--rekey", "--ike", "live"]);
  await p.waitFor((x) => x.event === "ike-rekeyed", 10_000, "ike-rekeyed (strongSwan's rekey)", mark);
  await assertSame(l, status, s);
  // strongSwan starts no more rekeys (rekey_time = 0): what follows is ours.
  mark = p.lines.length;
  await p.waitFor((x) => x.event === "child-rekeyed", 12_000, "child-rekeyed (our rekey)", mark);
  await p.waitFor((x) => x.event === "ike-rekeyed", 12_000, "ike-rekeyed (our rekey)", mark);
  assert.match(l.charonLog(), /parsed CREATE_CHILD_SA request \d+ \[/, "charon saw our CREATE_CHILD_SA requests");
  await until(() => (count(p, (x) => x.event === "peer-alive") > 0 ? true : undefined), 10_000, "our liveness check to be answered");
  assert.match(l.charonLog(), /parsed INFORMATIONAL request \d+ \[ \][\s\S]*generating INFORMATIONAL response \d+ \[ \]/);
  await assertSame(l, status, s);
}

for (const s of SUITES) {
  test(`strongSwan interop: Deno gateway responds, ${s.name}: establish, rekeys by both sides, our DPD, strongSwan deletes`, async () => {
    await withLab(`deno-gateway-${s.name}`, { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, REMOTE_ID: OUR_ID, LOCAL_ID: SUN_ID, DPD_DELAY: "0s" }, async (l) => {
      const gw = l.startOurs("deno", "gateway", writeFile(l.dir, "gateway.json", ourConfig("gateway", s, l.dir, { childRekey: 5, ikeRekey: 9, dpd: 2 })));
      await gw.waitFor((x) => x.event === "listening", 15_000, "listening");

      // strongSwan initiates; swanctl returns once the Child SA is up.
      const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], { check: false });
      assert.equal(init.code, 0, `swanctl --initiate: ${init.stdout}\n${init.stderr}`);
      const up = await gw.waitFor((x) => x.event === "ike-up", 5000, "ike-up");
      assert.equal(up.initiator, false);
      await gw.waitFor((x) => x.event === "child-up", 5000, "child-up");
      await assertSame(l, () => programStatus(l, "deno", "gateway"), s);

      await rekeysAndLiveness(l, gw, () => programStatus(l, "deno", "gateway"), s);
      assert.equal(count(gw, (x) => x.level === "error"), 0, "no error lines");

      // strongSwan deletes the Child SA, then the IKE SA; we are left with nothing.
      const mark = gw.lines.length;
      await l.swanctl(["--terminate", "--child", "live"]);
      const cd = await gw.waitFor((x) => x.event === "child-down", 10_000, "child-down", mark);
      assert.equal(cd.byPeer, true);
      await l.swanctl(["--terminate", "--ike", "live"]);
      const down = await gw.waitFor((x) => x.event === "ike-down", 10_000, "ike-down", mark);
      assert.equal(down.byPeer, true);
      const snap = await programStatus(l, "deno", "gateway");
      assert.equal(snap.ikeSas.length, 0);
      assert.deepEqual(await l.listSas(), []);
      gw.kill("SIGTERM");
      await gw.waitFor((x) => x.event === "shutdown-complete", 8000, "shutdown-complete");
    });
  }, ONLY_NODE);
}

for (const s of SUITES) {
  test(`strongSwan interop: Bun tunnel initiates, ${s.name}: establish, rekeys by both sides, our DPD, reconnect after strongSwan deletes, our delete on SIGTERM`, async () => {
    await withLab(`bun-tunnel-${s.name}`, { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s" }, async (l) => {
      const tun = l.startOurs("bun", "tunnel", writeFile(l.dir, "tunnel.json", ourConfig("tunnel", s, l.dir, { childRekey: 5, ikeRekey: 9, dpd: 2 })));
      const up = await tun.waitFor((x) => x.event === "ike-up", 20_000, "ike-up");
      assert.equal(up.initiator, true);
      await tun.waitFor((x) => x.event === "child-up", 5000, "child-up");
      await assertSame(l, () => programStatus(l, "bun", "tunnel"), s);

      await rekeysAndLiveness(l, tun, () => programStatus(l, "bun", "tunnel"), s);

      // strongSwan deletes the IKE SA: the tunnel hears it and brings the tunnel back up.
      const mark = tun.lines.length;
      await l.swanctl(["--terminate", "--ike", "live"]);
      const down = await tun.waitFor((x) => x.event === "ike-down", 10_000, "ike-down", mark);
      assert.equal(down.byPeer, true);
      await tun.waitFor((x) => x.event === "child-up", 15_000, "child-up after reconnecting", mark);
      await until(() => (/sun: reconnecting in/.test(tun.stderr) ? true : undefined), 3000, "the tunnel to say it reconnects");
      await assertSame(l, () => programStatus(l, "bun", "tunnel"), s);
      assert.equal(count(tun, (x) => x.level === "error"), 0, "no error lines");

      // SIGTERM: we delete the IKE SA and strongSwan is told.
      tun.kill("SIGTERM");
      const done = await tun.waitFor((x) => x.event === "shutdown-complete", 8000, "shutdown-complete");
      assert.equal(done.clean, true, "strongSwan answered our Delete");
      await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
      assert.match(l.charonLog(), /received DELETE for IKE_SA live/);
    });
  }, ONLY_NODE);
}

test("strongSwan interop: Deno gateway initiates a site-to-site connection (start: true), aes128-sha256-x25519: establish, strongSwan rekeys, SIGTERM deletes", async () => {
  const s = SUITES[2];
  await withLab("deno-gateway-initiates", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s" }, async (l) => {
    const gw = l.startOurs("deno", "gateway", writeFile(l.dir, "gateway.json", ourConfig("gateway", s, l.dir, { start: true })));
    const up = await gw.waitFor((x) => x.event === "ike-up", 20_000, "ike-up");
    assert.equal(up.initiator, true);
    await gw.waitFor((x) => x.event === "child-up", 5000, "child-up");
    await assertSame(l, () => programStatus(l, "deno", "gateway"), s);
    const mark = gw.lines.length;
    await l.swanctl(["--rekey", "--child", "live"]);
    await gw.waitFor((x) => x.event === "child-rekeyed", 10_000, "child-rekeyed", mark);
    await l.swanctl(["--rekey", "--ike", "live"]);
    await gw.waitFor((x) => x.event === "ike-rekeyed", 10_000, "ike-rekeyed", mark);
    await assertSame(l, () => programStatus(l, "deno", "gateway"), s);
    gw.kill("SIGTERM");
    const done = await gw.waitFor((x) => x.event === "shutdown-complete", 8000, "shutdown-complete");
    assert.equal(done.clean, true);
    await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
  });
}, ONLY_NODE);

/** The Node library peer's status snapshot (its `status` command). */
async function nodeStatus(p: Proc): Promise<StatusSnapshot> {
  const mark = p.lines.length;
  p.send(JSON.stringify({ cmd: "status" }));
  return (await p.waitFor((x) => x.event === "status", 5000, "status", mark)).snapshot as StatusSnapshot;
}

/** Sends a command to the Node library peer and waits for the log line `event` it leads to. */
async function nodeDo(p: Proc, cmd: object, event: string, ms = 10_000): Promise<Line> {
  const mark = p.lines.length;
  p.send(JSON.stringify(cmd));
  const done = await p.waitFor((x) => x.event === "command-done" || x.event === "command-failed", 5000, "command result", mark);
  assert.equal(done.event, "command-done", `${JSON.stringify(cmd)}: ${done.reason}`);
  return p.waitFor((x) => x.event === event, ms, `${event} after ${JSON.stringify(cmd)}`, mark);
}

function nodePeerConfig(l: Lab, s: Suite, o: { initiator: boolean }): string {
  return writeFile(l.dir, "node-peer.json", JSON.stringify({
    listen: OURS, port: 500, nattPort: 4500, keyLogDir: l.dir,
    endpoint: {
      keyLog: true,
      connections: [{
        name: "sun", local: { id: OUR_ID, address: OURS }, remote: { id: SUN_ID, ...(o.initiator ? { address: SUN } : {}) }, psk: PSK,
        ike: { proposals: s.ike, rekeyTime: 0, dpdDelay: 0 },
        children: [{ name: "live", esp: s.esp, localTs: [OUR_TS], remoteTs: [SUN_TS], rekeyTime: 0 }],
      }],
    },
  }));
}

/** Rekeys and liveness checks started by us (commands) and by strongSwan (swanctl, its DPD). */
async function exchangesBothWays(l: Lab, p: Proc, s: Suite): Promise<void> {
  await nodeDo(p, { cmd: "rekeyChild" }, "child-rekeyed");
  await nodeDo(p, { cmd: "rekeyIke" }, "ike-rekeyed");
  await nodeDo(p, { cmd: "checkLiveness" }, "peer-alive");
  await assertSame(l, () => nodeStatus(p), s);
  let mark = p.lines.length;
  await l.swanctl(["--rekey", "--child", "live"]);
  await p.waitFor((x) => x.event === "child-rekeyed", 10_000, "child-rekeyed (strongSwan's rekey)", mark);
  mark = p.lines.length;
  await l.swanctl(["--rekey", "--ike", "live"]);
  await p.waitFor((x) => x.event === "ike-rekeyed", 10_000, "ike-rekeyed (strongSwan's rekey)", mark);
  // charon checks liveness after 2 s of silence (dpd_delay); we answer its empty INFORMATIONAL.
  await until(() => (charonDpdAnswered(l.charonLog()) ? true : undefined), 10_000, "charon's DPD to be answered");
  await assertSame(l, () => nodeStatus(p), s);
}

for (const s of SUITES) {
  test(`strongSwan interop: Node library initiates, ${s.name}: establish, rekeys and DPD both ways, we delete the Child SA, create another, delete the IKE SA`, async () => {
    await withLab(`node-initiator-${s.name}`, { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "2s" }, async (l) => {
      const p = l.startOurs("node", "node-peer", nodePeerConfig(l, s, { initiator: true }));
      await p.waitFor((x) => x.event === "listening", 10_000, "listening");
      await nodeDo(p, { cmd: "initiate", conn: "sun" }, "child-up", 15_000);
      await assertSame(l, () => nodeStatus(p), s);
      await exchangesBothWays(l, p, s);

      // We delete the Child SA: strongSwan keeps the IKE SA without it; then a new Child SA (CREATE_CHILD_SA).
      const cd = await nodeDo(p, { cmd: "deleteChild" }, "child-down");
      assert.equal(cd.byPeer, false);
      await until(async () => {
        const sas = await l.listSas();
        return sas.length === 1 && sas[0].children.every((c) => c.state !== "INSTALLED") ? true : undefined;
      }, 5000, "strongSwan to drop the Child SA and keep the IKE SA");
      await nodeDo(p, { cmd: "createChild", child: "live" }, "child-up");
      await assertSame(l, () => nodeStatus(p), s);

      // We delete the IKE SA: nothing is left on either side.
      const down = await nodeDo(p, { cmd: "deleteIke" }, "ike-down");
      assert.equal(down.byPeer, false);
      await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
      assert.equal((await nodeStatus(p)).ikeSas.length, 0);
      assert.equal(count(p, (x) => x.level === "error"), 0, "no error lines");
    });
  }, ONLY_NODE);

  test(`strongSwan interop: Node library responds, ${s.name}: establish, rekeys and DPD both ways, strongSwan deletes the Child SA, we delete the IKE SA`, async () => {
    await withLab(`node-responder-${s.name}`, { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "2s" }, async (l) => {
      const p = l.startOurs("node", "node-peer", nodePeerConfig(l, s, { initiator: false }));
      await p.waitFor((x) => x.event === "listening", 10_000, "listening");
      const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], { check: false });
      assert.equal(init.code, 0, `swanctl --initiate: ${init.stdout}\n${init.stderr}`);
      await p.waitFor((x) => x.event === "child-up", 5000, "child-up");
      await assertSame(l, () => nodeStatus(p), s);
      await exchangesBothWays(l, p, s);

      const mark = p.lines.length;
      await l.swanctl(["--terminate", "--child", "live"]);
      const cd = await p.waitFor((x) => x.event === "child-down", 10_000, "child-down", mark);
      assert.equal(cd.byPeer, true);
      assert.equal((await nodeStatus(p)).ikeSas[0]?.children.length, 0, "the IKE SA stays, without Child SAs");
      const down = await nodeDo(p, { cmd: "deleteIke" }, "ike-down");
      assert.equal(down.byPeer, false);
      await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
      assert.equal(count(p, (x) => x.level === "error"), 0, "no error lines");
    });
  }, ONLY_NODE);
}

test("strongSwan interop: Node library over IPv6 (fd00:5eed::1 to fd00:5eed::2): establish, Child SA rekey, delete", async () => {
  const s = SUITES[2];
  await withLab("node-ipv6", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s", LOCAL_ADDR: SUN6, REMOTE_ADDR: OURS6 }, async (l) => {
    const cfg = JSON.parse(readFileSync(nodePeerConfig(l, s, { initiator: true }), "utf8"));
    cfg.listen = OURS6;
    cfg.endpoint.connections[0].local.address = OURS6;
    cfg.endpoint.connections[0].remote.address = SUN6;
    const p = l.startOurs("node", "node-peer", writeFile(l.dir, "node-peer6.json", JSON.stringify(cfg)));
    await p.waitFor((x) => x.event === "listening", 10_000, "listening");
    const up = await nodeDo(p, { cmd: "initiate", conn: "sun" }, "ike-up", 15_000);
    assert.equal(up.peer, `[${SUN6}]:4500`);
    await p.waitFor((x) => x.event === "child-up", 5000, "child-up");
    const sas = await l.listSas();
    assert.equal(sas.length, 1);
    assert.match(sas[0].text, new RegExp(`remote '${OUR_ID}' @ ${OURS6}\\[4500\\]`));
    const snap = await nodeStatus(p);
    assert.equal(snap.ikeSas[0].spiI, sas[0].spiI);
    assert.equal(sas[0].children.find((c) => c.state === "INSTALLED")?.spiOut, snap.ikeSas[0].children[0].spiIn);
    await nodeDo(p, { cmd: "rekeyChild" }, "child-rekeyed");
    await nodeDo(p, { cmd: "deleteIke" }, "ike-down");
    await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
  });
}, ONLY_NODE);

test("strongSwan interop: a wrong PSK fails cleanly both ways (Bun tunnel to strongSwan, strongSwan to the Deno gateway)", async () => {
  const s = SUITES[0];
  // Our tunnel has the wrong key: strongSwan refuses our AUTH, we say so and keep nothing.
  await withLab("wrong-psk-bun-tunnel", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s" }, async (l) => {
    const tun = l.startOurs("bun", "tunnel", writeFile(l.dir, "tunnel.json", ourConfig("tunnel", s, l.dir, { psk: "not the key" })));
    const failed = await tun.waitFor((x) => x.event === "auth-failed", 20_000, "auth-failed");
    assert.equal(failed.rejectedBy, "peer");
    await tun.waitFor((x) => x.event === "keeper-retry-scheduled", 5000, "a reconnect scheduled with backoff");
    await until(() => (/sun: authentication failed: .*rejected our authentication.*pre-shared key/.test(tun.stderr) ? true : undefined), 3000, "the tunnel to explain the failure on stderr");
    assert.equal(count(tun, (x) => x.event === "ike-up"), 0);
    assert.equal((await programStatus(l, "bun", "tunnel")).ikeSas.length, 0);
    assert.deepEqual(await l.listSas(), []);
    assert.match(l.charonLog(), /MAC mismatched|verification of AUTH failed|authentication of .* failed/i);
  });
  // strongSwan has the wrong key: we refuse its AUTH with AUTHENTICATION_FAILED and keep nothing.
  await withLab("wrong-psk-deno-gateway", { IKE_PROPOSALS: s.ike, ESP_PROPOSALS: s.esp, DPD_DELAY: "0s", PSK: "not the key" }, async (l) => {
    const gw = l.startOurs("deno", "gateway", writeFile(l.dir, "gateway.json", ourConfig("gateway", s, l.dir)));
    await gw.waitFor((x) => x.event === "listening", 15_000, "listening");
    const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], { check: false });
    assert.notEqual(init.code, 0, "swanctl --initiate must fail");
    const failed = await gw.waitFor((x) => x.event === "auth-failed", 5000, "auth-failed");
    assert.equal(failed.rejectedBy, "us");
    assert.match(l.charonLog(), /received AUTHENTICATION_FAILED notify error/);
    assert.equal((await programStatus(l, "deno", "gateway")).ikeSas.length, 0);
    assert.equal((await programStatus(l, "deno", "gateway")).halfOpen, 0);
    assert.deepEqual(await l.listSas(), []);
  });
}, { ...ONLY_NODE, timeoutMs: 90_000 });
