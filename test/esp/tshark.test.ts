// Wireshark as an independent judge of our ESP: packets from ts/esp for every GCM ICV length and every
// HMAC (AES-128 and AES-256), IPv4 and IPv6 inside, written to a pcap as UDP 4500 (RFC 3948) and
// dissected by tshark with our keys in its esp_sa table. tshark must decrypt each packet to our exact
// inner packet and report its ICV good; a packet we damage on purpose must be reported bad.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, toHex } from "../lib/harness.ts";
import { createNativeProvider } from "../../ts/crypto/native/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { OutboundSa, resolveEspTransforms, espUdpPayload } from "../../ts/esp/index.ts";
import { writePcap, type Datagram } from "../wire/pcap-write.ts";
// @ts-ignore: plain JS test tooling shared with the fixture recorder
import { run } from "../interop/lab.mjs";
import { icmpEcho, ipv4, ipv6, keyPair, pseudoRandomBytes, SUITES, tcp, text, udp } from "./lib.ts";

/** Wireshark 4.0's names in its ESP SA table (as the fixtures' wireshark/esp_sa use them). */
const WS_ENCR: Record<number, string> = { 18: "AES-GCM with 8 octet ICV [RFC4106]", 19: "AES-GCM with 12 octet ICV [RFC4106]", 20: "AES-GCM with 16 octet ICV [RFC4106]", 12: "AES-CBC [RFC3602]" };
const WS_INTEG: Record<number, string> = { 0: "NULL", 2: "HMAC-SHA-1-96 [RFC2404]", 12: "HMAC-SHA-256-128 [RFC4868]", 13: "HMAC-SHA-384-192 [RFC4868]", 14: "HMAC-SHA-512-256 [RFC4868]" };

const A = "198.18.0.1", B = "198.18.0.2";

function* entries(node: unknown): Generator<[string, unknown]> {
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) { yield [k, v]; yield* entries(v); }
}
const first = (layers: unknown, key: string): unknown => { for (const [k, v] of entries(layers)) if (k === key) return v; return undefined; };
const rawHex = (v: unknown): string => (Array.isArray(v) ? String(Array.isArray(v[0]) ? v[0][0] : v[0]) : "");

test("tshark: Wireshark decrypts our ESP for every algorithm and key size and finds every ICV good", async () => {
  const p = createNativeProvider({ random: seededRandom(5) });
  const suites = SUITES.filter((s) => s.bits !== 192);
  const datagrams: Datagram[] = [];
  const expect: { what: string; inner: string; good: boolean }[] = [];
  const rows: string[] = [];
  suites.forEach((suite, n) => {
    const k = keyPair(p, suite, { spiA: 0xa0000000 + n, spiB: 0xb0000000 + n, seed: n + 1 });
    const t = resolveEspTransforms(p, suite.encr, suite.bits, suite.integ);
    const keys = t.integ ? { encr: t.encr, encrKey: k.a.encrKeyOut, integ: t.integ, integKey: k.a.integKeyOut } : { encr: t.encr, encrKey: k.a.encrKeyOut };
    const out = new OutboundSa({ spi: k.a.spiOut, esn: false, keys, random: (b) => p.randomInto(b) });
    const spiHex = "0x" + k.a.spiOut.toString(16).padStart(8, "0");
    rows.push([`"IPv4"`, `"${A}"`, `"${B}"`, `"${spiHex}"`, `"${WS_ENCR[suite.encr]}"`, `"0x${toHex(k.a.encrKeyOut)}"`, `"${WS_INTEG[suite.integ]}"`, `"0x${toHex(k.a.integKeyOut)}"`].join(","));
    const inners = [
      ipv4("10.1.0.1", "10.2.0.1", 17, udp(4000 + n, 9, text(`${suite.name} over esp`))),
      ipv6("fd00:a::1", "fd00:b::1", 58, icmpEcho(128, pseudoRandomBytes(37 + n, n))),
      ipv4("10.1.0.1", "10.2.0.1", 6, tcp(50000, 443, pseudoRandomBytes(1200, n))),
    ];
    for (const inner of inners) {
      const e = out.encapsulate(inner);
      assert.ok(e.ok);
      datagrams.push({ src: A, dst: B, sport: 4500, dport: 4500, payload: espUdpPayload(e.packet) });
      expect.push({ what: `${suite.name} seq ${e.seq}`, inner: toHex(inner), good: true });
    }
    // The control: one packet with its last ICV byte flipped must be called bad.
    const e = out.encapsulate(inners[0]);
    assert.ok(e.ok);
    const bad = e.packet.slice(); bad[bad.length - 1] ^= 0x55;
    datagrams.push({ src: A, dst: B, sport: 4500, dport: 4500, payload: bad });
    expect.push({ what: `${suite.name} seq ${e.seq} (damaged ICV)`, inner: toHex(inners[0]), good: false });
  });

  const dir = mkdtempSync(join(tmpdir(), "skeyseed-esp-tshark-"));
  try {
    const file = join(dir, "esp.pcap");
    writeFileSync(file, writePcap(datagrams));
    writeFileSync(join(dir, "esp_sa"), rows.join("\n") + "\n");
    const env = { WIRESHARK_CONFIG_DIR: dir, HOME: dir };
    const r = await run(["tshark", "-r", file, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
      "-T", "json", "-x", "--no-duplicate-keys"], { env, timeoutMs: 120_000 });
    assert.ok(!/esp_sa|UAT|invalid/i.test(r.stderr), `tshark complained about our SA table: ${r.stderr}`);
    const packets = JSON.parse(r.stdout) as { _source: { layers: Record<string, unknown> } }[];
    assert.equal(packets.length, expect.length);
    const problems: string[] = [];
    let good = 0, flagged = 0;
    packets.forEach((pkt, i) => {
      const x = expect[i];
      const layers = pkt._source.layers;
      if (!layers.esp) { problems.push(`${x.what}: not dissected as ESP`); return; }
      const dec = rawHex(first(layers, "esp.decrypted_data_raw"));
      const icvGood = first(layers, "esp.icv_good"), icvBad = first(layers, "esp.icv_bad");
      if (x.good) {
        if (!dec.startsWith(x.inner)) problems.push(`${x.what}: tshark ${dec ? "decrypted it differently" : "did not decrypt it"}`);
        else if (icvGood !== "1") problems.push(`${x.what}: tshark says icv_good=${String(icvGood)} icv_bad=${String(icvBad)}`);
        else good++;
      } else if (icvBad === "1" || icvGood === "0") flagged++;
      else problems.push(`${x.what}: tshark did not flag the damaged ICV (icv_good=${String(icvGood)})`);
    });
    assert.deepEqual(problems, []);
    assert.equal(good, suites.length * 3);
    assert.equal(flagged, suites.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeoutMs: 180_000 });
