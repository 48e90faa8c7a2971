// The gateway and tunnel programs as processes: a gateway on one runtime and a tunnel on another
// complete IKE_SA_INIT + IKE_AUTH, rekey the Child SA and are shut down by SIGTERM over real UDP on
// 127.0.0.1 (asserted through their JSON logs and /status). Each harness runtime runs one pairing, so
// the three runs together cover Deno gateway + Bun tunnel, and Node with each of the others.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runtime, test } from "../lib/harness.ts";
import { formatStatusTable } from "../../ts/app/status-table.ts";
import type { StatusSnapshot } from "../../ts/io/status.ts";
import { runToEnd, start, tempDir, writeFile, type Line, type Rt } from "./procs.ts";

const PAIRING: Record<Rt, [gateway: Rt, tunnel: Rt]> = { deno: ["deno", "bun"], bun: ["bun", "node"], node: ["node", "deno"] };
const PSK = "correct horse battery staple";

function gatewayYaml(keyLogDir: string): string {
  return `# cross-runtime test gateway: ephemeral ports on loopback
gateway:
  listen: [127.0.0.1]
  port: 0
  nattPort: 0
  status: { port: 0 }
  provider: wasm
  shutdownGrace: 3
  keyLogDir: ${JSON.stringify(keyLogDir)}
connections:
  - name: edges
    local: { id: gw.example }
    psk: ${PSK}
    ike: { proposals: aes128gcm16-prfsha256-x25519, rekeyTime: 60, dpdDelay: 0 }
    children:
      - { name: lan, esp: aes128gcm16, localTs: [10.2.0.0/16], remoteTs: [10.1.0.0/16], rekeyTime: 2, lifeTime: 30, jitter: 0 }
`;
}

function tunnelConfig(ike: number, natt: number, psk = PSK): string {
  return JSON.stringify({
    tunnel: { provider: "native", reconnect: { initial: 5, max: 10 } },
    connections: [{
      name: "edge", local: { id: "edge.example", address: "127.0.0.1" }, remote: { id: "gw.example", address: "127.0.0.1", port: ike, nattPort: natt }, psk,
      ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 60, dpdDelay: 0 },
      children: [{ name: "lan", esp: "aes128gcm16", localTs: ["10.1.0.0/16"], remoteTs: ["10.2.0.0/16"], rekeyTime: 30 }],
    }],
  }, null, 2);
}

/**
 * Exit code 0 after SIGTERM. Deno's node:child_process reports (null, "SIGTERM") for any child it
 * sent kill() to, whatever the child's real exit status; there the log lines are the evidence.
 */
function assertExitedCleanly(code: number | null, stderr: string): void {
  if (runtime === "deno" && code === null) return;
  assert.equal(code, 0, stderr);
}

const portOf = (a: unknown) => Number(String(a).split(":").at(-1));

test(`cross-runtime: ${PAIRING[runtime][0]} gateway + ${PAIRING[runtime][1]} tunnel: IKE_SA_INIT + IKE_AUTH, Child SA rekey, SIGTERM delete told to the peer`, async () => {
  const [gwRt, tunRt] = PAIRING[runtime];
  const dir = tempDir();
  const gw = start(gwRt, "gateway", ["--config", writeFile(dir, "gateway.yaml", gatewayYaml(dir))]);
  let tun: ReturnType<typeof start> | undefined;
  try {
    const listening = await gw.waitFor((l) => l.event === "listening", 10000, "listening line");
    const [ike, natt] = [portOf((listening.ike as string[])[0]), portOf((listening.natt as string[])[0])];
    const statusUrl = String(listening.status);
    tun = start(tunRt, "tunnel", ["--config", writeFile(dir, "tunnel.json", tunnelConfig(ike, natt))]);

    // IKE_SA_INIT + IKE_AUTH with the first Child SA, on both sides.
    const up = await tun.waitFor((l) => l.event === "ike-up", 10000, "ike-up");
    assert.equal(up.remoteId, "gw.example");
    await tun.waitFor((l) => l.event === "child-up");
    await gw.waitFor((l) => l.event === "child-up");
    // The gateway rekeys the Child SA after 2 s (CREATE_CHILD_SA), the old one is deleted.
    const rekeyed = await gw.waitFor((l) => l.event === "child-rekeyed", 8000, "child-rekeyed");
    await tun.waitFor((l) => l.event === "child-rekeyed" && l.spiIn === rekeyed.spiOut, 5000, "child-rekeyed on the tunnel");

    const snap = JSON.parse(await (await fetch(`${statusUrl}/status`)).text()) as StatusSnapshot;
    assert.equal(snap.runtime, gwRt);
    assert.equal(snap.ikeSas.length, 1);
    assert.equal(snap.ikeSas[0].remoteId, "edge.example");
    assert.ok(snap.ikeSas[0].children.some((c) => c.spiIn === rekeyed.spiIn), "the rekeyed Child SA is listed");
    assert.match(formatStatusTable(snap), /edges: #1, ESTABLISHED, IKEv2, [0-9a-f]{16}_i [0-9a-f]{16}_r\*/);
    const table = await runToEnd(gwRt, "gateway", ["status", "--url", statusUrl]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^edges: #1, ESTABLISHED, IKEv2, /m);
    assert.match(table.stdout, /^  lan: #\d+, INSTALLED, TUNNEL, ESP:aes128gcm16$/m);
    // Wireshark key logs: one IKE SA line with its SPIs, Child SA lines with the rekeyed SPI.
    assert.ok(readFileSync(join(dir, "ikev2_decryption_table"), "utf8").includes(String(up.spiI)));
    assert.ok(readFileSync(join(dir, "esp_sa"), "utf8").includes(String(rekeyed.spiIn)));
    const metrics = await (await fetch(`${statusUrl}/metrics`)).text();
    assert.match(metrics, /^skeyseed_ike_sas 1$/m);
    assert.match(metrics, /^skeyseed_child_sas [12]$/m);

    // SIGTERM: the gateway deletes the IKE SA, the tunnel hears it from its peer.
    gw.kill("SIGTERM");
    const done = await gw.waitFor((l) => l.event === "shutdown-complete", 6000, "shutdown-complete");
    assert.equal(done.clean, true);
    assertExitedCleanly(await gw.exit(), gw.stderr);
    const down = await tun.waitFor((l: Line) => l.event === "ike-down", 5000, "ike-down on the tunnel");
    assert.equal(down.byPeer, true);
    assert.match(tun.stderr, /the peer closed IKE SA #1/);
    assert.match(tun.stderr, /reconnecting in/);
    tun.kill("SIGTERM");
    await tun.waitFor((l) => l.event === "shutdown-complete", 6000, "the tunnel's shutdown-complete");
    assertExitedCleanly(await tun.exit(), tun.stderr);
  } finally {
    gw.kill("SIGKILL");
    tun?.kill("SIGKILL");
  }
}, { timeoutMs: 30000 });

test(`programs on ${runtime}: --help lists every flag; a bad file is refused naming the file, line and field`, async () => {
  const help = await runToEnd(runtime, "gateway", ["--help"]);
  assert.equal(help.code, 0);
  for (const flag of ["--config", "--log-level", "--provider", "--status", "--check", "--help", "--url", "--json"]) assert.ok(help.stdout.includes(flag), `gateway --help mentions ${flag}`);
  const dir = tempDir();
  const bad = writeFile(dir, "bad.yaml", "gateway:\n  port: 70000\nconnections:\n  - name: a\n    local: { id: gw.example }\n    psk: \"\"\n");
  const r = await runToEnd(runtime, "tunnel", ["--config", bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /a gateway section in a tunnel file/);
  const g = await runToEnd(runtime, "gateway", ["--config", bad]);
  assert.equal(g.code, 2);
  assert.match(g.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: gateway\\.port: `));
  assert.match(g.stderr, /bad\.yaml:6: connections\[0\]\.psk: the PSK must not be empty/);
}, { timeoutMs: 30000 });
