// The `tun` section of the gateway and tunnel configuration (docs/config.md): defaults, forceEncap
// turned on by it, each bad field named with its line, and --check's summary. Also rangeToCidrs,
// which turns a traffic selector into the routes `routes: auto` adds.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { ConfigFileError, loadConfig } from "../../ts/app/config.ts";
import { parseRange, rangeToCidrs } from "../../ts/util/ip.ts";

const conns = `connections:
  - name: edge
    local: { id: edge.example }
    remote: { id: gw.example, address: 192.0.2.2 }
    psk: s3cret
    children: [{ name: lan, localTs: [10.1.0.0/16], remoteTs: [10.2.0.0/16] }]
`;

function issues(text: string): string[] {
  try { loadConfig("tunnel", "t.yaml", text); } catch (e) {
    assert.ok(e instanceof ConfigFileError, String(e));
    return e.message.split("\n").slice(1).map((l) => l.trim());
  }
  throw new Error("expected a ConfigFileError");
}

test("tun config: absent means no data plane; present gives the defaults and turns forceEncap on", () => {
  const off = loadConfig("tunnel", "t.yaml", conns);
  assert.equal(off.program.tun, undefined);
  assert.equal(off.endpoint.forceEncap, false);
  const on = loadConfig("tunnel", "t.yaml", `tunnel:\n  tun: { addresses: [10.1.0.1/32] }\n${conns}`);
  assert.deepEqual(on.program.tun, { name: undefined, mtu: 1400, addresses: ["10.1.0.1/32"], routes: "auto", keepaliveMs: 20_000, replayWindow: 1024 });
  assert.equal(on.endpoint.forceEncap, true);
  const gw = loadConfig("gateway", "g.yaml", `gateway:\n  tun: { name: sk0, mtu: 1280, routes: [10.1.0.0/16, "fd00:1::/64"], keepalive: 0, replayWindow: 4096 }\n${conns}`);
  assert.deepEqual(gw.program.tun, { name: "sk0", mtu: 1280, addresses: [], routes: ["10.1.0.0/16", "fd00:1::/64"], keepaliveMs: 0, replayWindow: 4096 });
});

test("tun config: each bad field is named with its line, and forceEncap: false is refused next to it", () => {
  const got = issues(`forceEncap: false
tunnel:
  tun:
    name: "this-name-is-far-too-long"
    mtu: 100
    addresses: [10.1.0.1]
    routes: [nowhere]
    replayWindow: 10
    colour: blue
${conns}`);
  const want = [
    /^t\.yaml:1: forceEncap: tunnel\.tun carries ESP in UDP only/,
    /^t\.yaml:4: tunnel\.tun\.name: 1-15 characters/,
    /^t\.yaml:5: tunnel\.tun\.mtu: at least 576/,
    /^t\.yaml:6: tunnel\.tun\.addresses\[0\]: expected an address with a prefix length/,
    /^t\.yaml:7: tunnel\.tun\.routes\[0\]: expected an address with a prefix length/,
    /^t\.yaml:8: tunnel\.tun\.replayWindow: at least 64/,
    /^t\.yaml:4: tunnel\.tun: Unrecognized key: "colour"/,
  ];
  for (const w of want) assert.ok(got.some((g) => w.test(g)), `missing ${w} in:\n${got.join("\n")}`);
});

test("rangeToCidrs: a prefix stays one route; an arbitrary range becomes the fewest prefixes that cover exactly it", () => {
  const r = (s: string) => rangeToCidrs(parseRange(s)!);
  assert.deepEqual(r("10.2.0.0/16"), ["10.2.0.0/16"]);
  assert.deepEqual(r("198.19.2.1"), ["198.19.2.1/32"]);
  assert.deepEqual(r("10.0.0.1-10.0.0.6"), ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]);
  assert.deepEqual(r("0.0.0.0-255.255.255.255"), ["0.0.0.0/0"]);
  assert.deepEqual(r("fd00::-fd00::ffff:ffff"), ["fd00::/96"]);
  assert.deepEqual(r("10.0.0.255-10.0.1.0"), ["10.0.0.255/32", "10.0.1.0/32"]);
  // Worst case stays bounded: 2 × 32 - 2 prefixes for 0.0.0.1-255.255.255.254.
  assert.equal(r("0.0.0.1-255.255.255.254").length, 62);
});

import { runProgram } from "../../ts/app/program.ts";
import type { Host } from "../../ts/app/host.ts";
import { ManualClock, MemoryNetwork } from "../../ts/io/memory.ts";
import { TunError } from "../../ts/io/tun.ts";
import { seededRandom } from "../../ts/crypto/random.ts";

function fakeHost(args: string[], file: string, openTun?: Host["openTun"]) {
  const out: string[] = [], err: string[] = [];
  const net = new MemoryNetwork();
  const clock = new ManualClock();
  const host = {
    runtime: "node", args, clock, random: seededRandom(1), openUdp: net.open,
    readTextFile: () => Promise.resolve(file),
    stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t),
    openTun, configureTun: async () => {}, routeTun: async () => {},
  } as unknown as Host;
  return { host, out, err, net };
}

const TUN_FILE = `tunnel:\n  tun: { name: sk0, addresses: [10.1.0.1/32] }\n  status: { enabled: false }\n${conns}`;

test("tun program: --check summarises the tun section; without one it says there is no data plane", async () => {
  const a = fakeHost(["--config", "t.yaml", "--check"], TUN_FILE);
  assert.equal(await runProgram("tunnel", a.host), 0);
  assert.match(a.out.join(""), /tun sk0 mtu 1400 10\.1\.0\.1\/32, routes auto/);
  const b = fakeHost(["--config", "t.yaml", "--check"], conns);
  assert.equal(await runProgram("tunnel", b.host), 0);
  assert.match(b.out.join(""), /tun off \(SAs only, no traffic\)/);
});

test("tun program: a TUN device that cannot be opened stops the program with exit 1 and says to run as root or drop the section", async () => {
  const h = fakeHost(["--config", "t.yaml"], TUN_FILE, () => Promise.reject(new TunError("open", "open /dev/net/tun: errno 13 (needs root or CAP_NET_ADMIN)", 13)));
  assert.equal(await runProgram("tunnel", h.host), 1);
  const e = h.err.join("");
  assert.match(e, /tun: cannot open the TUN device sk0: open \/dev\/net\/tun: errno 13/);
  assert.match(e, /run as root \(or with CAP_NET_ADMIN\), or remove the tun section/);
  // The sockets it had bound (ephemeral: the memory network's first ports) are closed again.
  await h.net.open({ ip: "0.0.0.0", port: 40000 });
  await h.net.open({ ip: "0.0.0.0", port: 40001 });
  const again = fakeHost(["--config", "t.yaml"], TUN_FILE, undefined);
  again.host.openTun = undefined;
  assert.equal(await runProgram("tunnel", again.host), 1);
  assert.match(again.err.join(""), /this runtime \(node\) cannot open a TUN device/);
});

test("child lifetimes: lifeBytes/lifePackets default to 110 % of the rekey limits and must exceed them when given", () => {
  const c = loadConfig("tunnel", "t.yaml", conns.replace("remoteTs: [10.2.0.0/16] }", "remoteTs: [10.2.0.0/16], rekeyBytes: 1000, rekeyPackets: 100, lifePackets: 500 }"));
  const ch = c.endpoint.connections[0].children[0];
  assert.deepEqual([ch.rekeyBytes, ch.lifeBytes, ch.rekeyPackets, ch.lifePackets], [1000, 1100, 100, 500]);
  const got = issues(conns.replace("remoteTs: [10.2.0.0/16] }", "remoteTs: [10.2.0.0/16], rekeyBytes: 1000, lifeBytes: 1000 }"));
  assert.ok(got.some((g) => /connections\[0\]\.children\[0\]\.lifeBytes: must be greater than rekeyBytes/.test(g)), got.join("\n"));
});
