// The recorded strongSwan fixtures (test/fixtures/strongswan/*) are consistent: rebuilding each one
// from its capture and charon logs recomputes every key (RFC 7296 §2.14, §2.17, §2.18), decrypts and
// authenticates every IKE message and ESP packet, verifies the PSK AUTH payloads, and reproduces
// messages.json, esp.json, keys.json and the Wireshark tables byte for byte.
// Regenerate with `sudo node scripts/record-strongswan.mjs` (see test/interop/lab.mjs).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";
// @ts-ignore: plain JS test tooling, shared with scripts/record-strongswan.mjs
import { buildFixture } from "./fixture.mjs";
// @ts-ignore
import { parseCharonLog } from "./charon-log.mjs";

const root = join(projectRoot, "test", "fixtures", "strongswan");
const names = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, "scenario.json"))).sort() : [];
const read = (name: string, file: string) => readFileSync(join(root, name, file), "utf8");
const json = (name: string, file: string) => JSON.parse(read(name, file));

test("strongSwan fixtures: the four scenarios are recorded", () => {
  assert.deepEqual(names, ["cbc-modp2048", "cbc-x25519", "fragmented", "gcm-ecp256"]);
});

for (const name of names) {
  test(`strongSwan fixture ${name}: rebuilt from capture.pcap and the logs, it matches byte for byte`, () => {
    const scenario = json(name, "scenario.json");
    const f = buildFixture({
      scenario, pcap: readFileSync(join(root, name, "capture.pcap")),
      logs: { a: read(name, "charon-moon.log"), b: read(name, "charon-sun.log") }, addrA: scenario.initiator.address,
    });
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
    assert.deepEqual(plain(f.messages), json(name, "messages.json"));
    assert.deepEqual(plain(f.esp), json(name, "esp.json"));
    assert.deepEqual(plain({ strongswanVersion: f.strongswanVersion, ikeSas: f.ikeSas }), json(name, "keys.json"));
    assert.deepEqual(plain(f.exchanges), scenario.exchanges);
    assert.equal(f.wireshark.ikev2, read(name, "wireshark/ikev2_decryption_table"));
    assert.equal(f.wireshark.esp, read(name, "wireshark/esp_sa"));
  });

  test(`strongSwan fixture ${name}: keys.json has one IKE SA per SPI pair on the wire, each with its Child SAs`, () => {
    const keys = json(name, "keys.json"), messages = json(name, "messages.json");
    const onWire = new Set(messages.filter((m: any) => m.SPIr !== "0000000000000000").map((m: any) => `${m.SPIi}_${m.SPIr}`));
    assert.deepEqual(new Set(keys.ikeSas.map((s: any) => `${s.SPIi}_${s.SPIr}`)), onWire);
    assert.equal(keys.strongswanVersion, "5.9.8");
    for (const sa of keys.ikeSas) {
      for (const k of ["Ni", "Nr", "g^ir", "SKEYSEED", "SK_d", "SK_ei", "SK_er", "SK_pi", "SK_pr"]) assert.match(sa[k], /^[0-9a-f]+$/, `${name} ${sa.SPIi}: ${k}`);
      if (sa.rekeyOf) assert.match(sa["SK_d(old)"], /^[0-9a-f]+$/);
    }
    const children = keys.ikeSas.flatMap((s: any) => s.childSas);
    const rekeys = scenario(name).exchanges.filter((e: any) => e.what === "rekey Child SA").length;
    assert.equal(children.length, 1 + rekeys);
    const esp = json(name, "esp.json");
    assert.ok(esp.length > 0, "some ESP traffic was recorded");
    for (const p of esp) assert.ok(children.some((c: any) => c.initiatorToResponder.SPI === p.SPI || c.responderToInitiator.SPI === p.SPI));
  });

  test(`strongSwan fixture ${name}: the log parser finds the same key sets in both daemons' logs`, () => {
    const a = parseCharonLog(read(name, "charon-moon.log")), b = parseCharonLog(read(name, "charon-sun.log"));
    assert.equal(a.version, "5.9.8");
    assert.deepEqual(a.ikeKeys.map((k: any) => k.SKEYSEED), b.ikeKeys.map((k: any) => k.SKEYSEED));
    assert.deepEqual(a.childKeys.map((k: any) => k.encr_i).sort(), b.childKeys.map((k: any) => k.encr_i).sort());
    assert.equal(a.ikeKeys.length, json(name, "keys.json").ikeSas.length);
  });
}

test("strongSwan fixtures: a single wrong byte in a logged key is caught", () => {
  const name = "gcm-ecp256";
  if (!names.includes(name)) return;
  const scenario = json(name, "scenario.json");
  const pcap = readFileSync(join(root, name, "capture.pcap"));
  const b = read(name, "charon-sun.log");
  // Flip the first byte of the first SK_ei dump in moon's log.
  const a = read(name, "charon-moon.log").replace(/(Sk_ei secret => \d+ bytes @ \S+\n\S+ \d+\[IKE\] <[^>]*>\s+0: )([0-9A-F]{2})/,
    (_m: string, head: string, byte: string) => head + (parseInt(byte, 16) ^ 1).toString(16).toUpperCase().padStart(2, "0"));
  assert.notEqual(a, read(name, "charon-moon.log"));
  assert.throws(() => buildFixture({ scenario, pcap, logs: { a, b }, addrA: scenario.initiator.address }), /SK_ei|not found in sun's log/);
  // The PSK is checked too, through the AUTH payloads.
  assert.throws(() => buildFixture({ scenario: { ...scenario, psk: "wrong" }, pcap, logs: { a: read(name, "charon-moon.log"), b }, addrA: scenario.initiator.address }), /AUTH does not verify/);
});

function scenario(name: string) { return json(name, "scenario.json"); }
