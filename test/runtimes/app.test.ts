// The runtime-agnostic program layer (ts/app): configuration files and their error messages, the
// command line and --help, the keeper's reconnects with backoff, the plain-words explanations and
// the swanctl-style status table. All in-process; no sockets.
import assert from "node:assert/strict";
import { test } from "../lib/harness.ts";
import { ConfigFileError, loadConfig } from "../../ts/app/config.ts";
import { FLAGS, UsageError, helpText, parseCli } from "../../ts/app/cli.ts";
import { Keeper, type KeeperNote } from "../../ts/app/keeper.ts";
import { explainEvent } from "../../ts/app/explain.ts";
import { formatStatusTable } from "../../ts/app/status-table.ts";
import { Driver } from "../../ts/io/driver.ts";
import { ManualClock, MemoryNetwork, settle as settleNet } from "../../ts/io/memory.ts";
import { statusSnapshot } from "../../ts/io/status.ts";
import { createJsProvider } from "../../ts/crypto/js/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import type { EngineEvent } from "../../ts/engine/types.ts";
import { NotifyType } from "../../ts/wire/iana.ts";

const GOOD_YAML = `gateway:
  listen: [127.0.0.1]
  port: 15500
  nattPort: 15501
connections:
  - name: edges
    local: { id: gw.example }
    psk: s3cret
    children:
      - name: lan
        localTs: [10.2.0.0/16]
        remoteTs: [10.1.0.0/16]
`;

function issuesOf(kind: "gateway" | "tunnel", file: string, text: string): string[] {
  try {
    loadConfig(kind, file, text);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, String(e));
    return e.message.split("\n").slice(1).map((l) => l.trim());
  }
  throw new Error("expected a ConfigFileError");
}

test("config: a valid gateway file resolves with its gateway section and defaults", () => {
  const c = loadConfig("gateway", "gw.yaml", GOOD_YAML);
  assert.deepEqual(c.program.listen, ["127.0.0.1"]);
  assert.equal(c.program.port, 15500);
  assert.deepEqual(c.program.status, { enabled: true, address: "127.0.0.1", port: 8787 });
  assert.equal(c.program.provider, "wasm");
  assert.equal(c.program.shutdownGraceMs, 3000);
  assert.equal(c.endpoint.connections[0].children[0].rekeyMs, 3600_000);
  assert.deepEqual(c.keep, []);
});

test("config: YAML errors name the file, the line and the field path", () => {
  const text = GOOD_YAML.replace("port: 15500", "port: 70000").replace("psk: s3cret", "psk: \"\"");
  const lines = issuesOf("gateway", "conf/gw.yaml", text);
  assert.ok(lines.some((l) => /^conf\/gw\.yaml:3: gateway\.port: 0 \(ephemeral\) or 1-65535$/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^conf\/gw\.yaml:8: connections\[0\]\.psk: the PSK must not be empty$/.test(l)), lines.join("\n"));
  // Checks past the schema (selectors, proposals) name their field the same way.
  const ts = issuesOf("gateway", "conf/gw.yaml", GOOD_YAML.replace("localTs: [10.2.0.0/16]", "localTs: [10.2.0.0/99]").replace("children:", "ike: { proposals: aes999-sha256-x25519 }\n    children:"));
  assert.ok(ts.some((l) => /^conf\/gw\.yaml:12: connections\[0\]\.children\[0\]\.localTs\[0\]: /.test(l)), ts.join("\n"));
  assert.ok(ts.some((l) => /^conf\/gw\.yaml:9: connections\[0\]\.ike\.proposals: .*aes999/.test(l)), ts.join("\n"));
});

test("config: JSON files too; a missing field points at its parent's line; unknown keys and misplaced sections are named", () => {
  const json = JSON.stringify({ gateway: { status: { address: "0.0.0.0" }, bogus: 1 }, ports: { ike: 500 }, connections: [{ name: "a", local: { id: "gw.example" } }] }, null, 2);
  const lines = issuesOf("gateway", "gw.json", json);
  const text = lines.join("\n");
  assert.match(text, /gw\.json:\d+: gateway\.status\.address: the status server listens on loopback only/);
  assert.match(text, /gw\.json:\d+: gateway: Unrecognized key: "bogus"|gw\.json:\d+: gateway: .*bogus/);
  assert.match(text, /gw\.json:\d+: ports: set gateway\.port and gateway\.nattPort instead/);
  assert.match(text, /gw\.json:12: connections\[0\]\.psk: required \(a string\)/);
  assert.deepEqual(issuesOf("tunnel", "t.yaml", GOOD_YAML).filter((l) => /a gateway section in a tunnel file/.test(l)).length, 1);
  assert.match(issuesOf("gateway", "x.json", "{ nope")[0], /^x\.json: \(top level\): not valid JSON/);
  assert.match(issuesOf("gateway", "x.yaml", "a: [1, 2\n")[0], /^x\.yaml(:\d+)?: \(top level\): not valid YAML/);
});

test("config: a tunnel initiates every connection; one without the peer's address is refused by field", () => {
  const t = loadConfig("tunnel", "t.yaml", `connections:\n  - name: edge\n    local: { id: edge.example }\n    remote: { id: gw.example, address: "::1", port: 15500 }\n    psk: s3cret\n`);
  assert.deepEqual(t.keep, ["edge"]);
  assert.deepEqual(t.program.listen, ["::"]);
  assert.equal(t.program.port, 0);
  assert.equal(t.program.status.enabled, false);
  assert.deepEqual(t.program.reconnect, { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 });
  const lines = issuesOf("tunnel", "t.yaml", `connections:\n  - name: edge\n    local: { id: edge.example }\n    psk: s3cret\n`);
  assert.ok(lines.some((l) => /^t\.yaml:2: connections\[0\]\.remote\.address: a connection with start: true needs the peer's address$/.test(l)), lines.join("\n"));
});

test("cli: --help documents every flag of each program; bad flags are usage errors", () => {
  for (const kind of ["gateway", "tunnel"] as const) {
    const help = helpText(kind, "deno");
    for (const f of FLAGS.filter((x) => x.programs.includes(kind))) {
      assert.ok(help.includes(`--${f.name}`), `${kind} --help lists --${f.name}`);
      if (f.short) assert.ok(help.includes(`-${f.short}, --${f.name}`));
    }
  }
  assert.ok(!helpText("gateway", "node").includes("--quiet"));
  assert.throws(() => parseCli("gateway", ["--bogus"]), UsageError);
  assert.throws(() => parseCli("gateway", ["--provider", "rsa"]), /--provider: "rsa" is not one of wasm, native, js/);
  assert.throws(() => parseCli("gateway", ["--url", "http://x"]), /belongs to the status subcommand/);
  assert.throws(() => parseCli("gateway", ["status", "--config", "x"]), /not an option of "gateway status"/);
  assert.deepEqual(parseCli("gateway", ["--status", "[::1]:9000"]).status, { address: "::1", port: 9000 });
  assert.equal(parseCli("gateway", ["--status", "off"]).status, null);
  assert.equal(parseCli("tunnel", ["status"]).url, "http://127.0.0.1:8788");
});

// ------------------------------------------------------------------ keeper, explain, table

async function memoryPair(opts: { pskEdge?: string; backoff?: { initialMs: number; maxMs: number; factor: number; jitter: number } } = {}) {
  const net = new MemoryNetwork(), clock = new ManualClock();
  const mk = async (ip: string, text: string, kind: "gateway" | "tunnel", seed: number) => {
    const cfg = loadConfig(kind, `${kind}.yaml`, text);
    const sockets = [{ socket: await net.open({ ip, port: 500 }), natt: false }, { socket: await net.open({ ip, port: 4500 }), natt: true }];
    const d = new Driver({ config: { ...cfg.endpoint, ports: { ike: 500, natt: 4500 } }, crypto: createJsProvider({ random: seededRandom(seed) }), sockets, clock });
    const events: EngineEvent[] = [];
    d.onEvent((e) => events.push(e));
    return { d, events, cfg };
  };
  const ike = "ike: { proposals: aes128gcm16-prfsha256-x25519, dpdDelay: 0 }";
  const gw = await mk("192.0.2.2", `connections:\n  - name: gw\n    local: { id: gw.example }\n    psk: s3cret\n    ${ike}\n    children: [{ name: lan, esp: aes128gcm16, localTs: [10.2.0.0/16], remoteTs: [10.1.0.0/16] }]\n`, "gateway", 1);
  const edge = await mk("192.0.2.1", `connections:\n  - name: edge\n    local: { id: edge.example, address: 192.0.2.1 }\n    remote: { id: gw.example, address: 192.0.2.2 }\n    psk: ${opts.pskEdge ?? "s3cret"}\n    ${ike}\n    children: [{ name: lan, esp: aes128gcm16, localTs: [10.1.0.0/16], remoteTs: [10.2.0.0/16] }]\n`, "tunnel", 2);
  const notes: KeeperNote[] = [];
  const keeper = new Keeper(edge.d, edge.cfg.keep, opts.backoff ?? { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0 }, (n) => notes.push(n));
  const settle = (done: () => boolean, ms = 60_000) => settleNet(net, clock, done, ms);
  return { net, clock, gw, edge, keeper, notes, settle };
}

test("keeper: brings the connection up, and after the peer deletes the IKE SA reconnects after the backoff", async () => {
  const { gw, edge, keeper, notes, settle, clock } = await memoryPair();
  keeper.start();
  settle(() => edge.events.some((e) => e.type === "child-up"));
  assert.equal(edge.d.endpoint.ikeSas().length, 1);
  const id = gw.d.endpoint.ikeSas()[0].id;
  gw.d.run((ep, now) => ep.deleteIke(id, now));
  const t0 = clock.now();
  settle(() => edge.events.filter((e) => e.type === "ike-up").length === 2);
  const retry = notes.find((n) => n.kind === "retry-scheduled");
  assert.ok(retry && retry.kind === "retry-scheduled" && retry.inMs === 1000, JSON.stringify(notes));
  assert.ok(clock.now() - t0 >= 1000);
  assert.equal(edge.d.endpoint.ikeSas().length, 1);
  assert.equal(edge.d.endpoint.childCount, 1);
});

test("keeper: a wrong PSK is retried with exponential backoff, capped; the words name the cause", async () => {
  const { edge, keeper, notes, settle } = await memoryPair({ pskEdge: "wrong" });
  keeper.start();
  settle(() => notes.filter((n) => n.kind === "retry-scheduled").length >= 5, 120_000);
  keeper.stop();
  const delays = notes.flatMap((n) => (n.kind === "retry-scheduled" ? [n.inMs] : []));
  assert.deepEqual(delays.slice(0, 5), [1000, 2000, 4000, 8000, 8000]);
  const failed = edge.events.find((e) => e.type === "auth-failed" || e.type === "ike-failed")!;
  const words = explainEvent(failed, { config: edge.cfg.endpoint, offers: edge.cfg.offers, connOfIke: () => "edge" })!;
  assert.match(words, /authentication failed/);
  assert.match(words, /pre-shared key/);
});

test("explain: no proposal chosen, TS unacceptable and no answer are told in plain words", () => {
  const cfg = loadConfig("tunnel", "t.yaml", `connections:\n  - name: edge\n    local: { id: edge.example }\n    remote: { address: 192.0.2.2 }\n    psk: x\n    ike: { proposals: aes256-sha256-modp2048 }\n    children: [{ name: lan, esp: aes256-sha256, localTs: [10.1.0.0/16], remoteTs: [10.2.0.0/16] }]\n`);
  const ctx = { config: cfg.endpoint, offers: cfg.offers, connOfIke: () => "edge" };
  const say = (e: EngineEvent) => explainEvent(e, ctx) ?? "";
  assert.match(say({ type: "ike-failed", id: 1, name: "edge", peer: "192.0.2.2:500", reason: "NO_PROPOSAL_CHOSEN", notify: NotifyType.NO_PROPOSAL_CHOSEN }), /accepted none of our IKE proposals \(NO_PROPOSAL_CHOSEN\)\. We offered "aes256-sha256-modp2048"/);
  assert.match(say({ type: "child-failed", ikeId: 1, name: "lan", reason: "x", notify: NotifyType.NO_PROPOSAL_CHOSEN }), /none of our ESP proposals.*"aes256-sha256"/);
  assert.match(say({ type: "child-failed", ikeId: 1, name: "lan", reason: "x", notify: NotifyType.TS_UNACCEPTABLE }), /refused our traffic selectors \(TS_UNACCEPTABLE\): we asked for 10\.1\.0\.0\/16 === 10\.2\.0\.0\/16/);
  assert.match(say({ type: "ike-failed", id: 1, name: "edge", peer: "192.0.2.2:500", reason: "no answer from 192.0.2.2:500 to IKE_SA_INIT" }), /no answer from 192\.0\.2\.2:500.*Is the peer running/);
  assert.match(say({ type: "peer-dead", id: 1, name: "edge", peer: "192.0.2.2:500" }), /stopped answering/);
});

test("explain: an authentication failure names what to check for the connection's method (PSK or certificates)", () => {
  const cfg = loadConfig("tunnel", "t.yaml", `connections:\n  - name: edge\n    local: { id: edge.example }\n    remote: { address: 192.0.2.2 }\n    psk: x\n`);
  const certs = { ...cfg.endpoint, connections: cfg.endpoint.connections.map((c) => ({ ...c, localAuth: { kind: "pubkey" } as unknown as typeof c.localAuth, remoteAuth: { kind: "pubkey" as const, anchors: [], crls: [], sendCertReq: true } })) };
  const failed = (local: boolean): EngineEvent => ({ type: "auth-failed", id: 1, name: "edge", peer: "192.0.2.2:500", reason: "x", local });
  const say = (config: typeof cfg.endpoint, e: EngineEvent) => explainEvent(e, { config, offers: cfg.offers, connOfIke: () => "edge" }) ?? "";
  assert.match(say(cfg.endpoint, failed(false)), /same pre-shared key/);
  assert.match(say(cfg.endpoint, failed(true)), /same pre-shared key/);
  assert.match(say(certs, failed(false)), /trusts the CA of local\.cert/);
  assert.doesNotMatch(say(certs, failed(false)), /pre-shared/);
  assert.match(say(certs, failed(true)), /chains to remote\.cacerts/);
  assert.match(say(certs, { type: "ike-failed", id: 1, name: "edge", peer: "192.0.2.2:500", reason: "x", notify: NotifyType.AUTHENTICATION_FAILED }), /AUTHENTICATION_FAILED\)\. Check that the peer trusts the CA of local\.cert/);
});

test("status table: blocks like swanctl --list-sas, our SPI starred", async () => {
  const { edge, keeper, settle } = await memoryPair();
  keeper.start();
  settle(() => edge.events.some((e) => e.type === "child-up"));
  const table = formatStatusTable(statusSnapshot(edge.d, { program: "tunnel", runtime: "test" }));
  assert.match(table, /^edge: #1, ESTABLISHED, IKEv2, [0-9a-f]{16}_i\* [0-9a-f]{16}_r$/m);
  assert.match(table, /^  local  'edge\.example' @ 192\.0\.2\.1\[500\]$/m);
  assert.match(table, /^  remote 'gw\.example' @ 192\.0\.2\.2\[500\]$/m);
  assert.match(table, /^  lan: #\d+, INSTALLED, TUNNEL, ESP:aes128gcm16$/m);
  assert.match(table, /^    in  [0-9a-f]{8}, +0 bytes, +0 packets$/m);
  assert.match(table, /^    local  10\.1\.0\.0\/16$/m);
});
