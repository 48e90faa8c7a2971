#!/usr/bin/env node
// Records the strongSwan fixtures: for each scenario in test/interop/scenarios/, runs two charon
// 5.9.x daemons in the lab (test/interop/lab.mjs), drives the scenario's steps, captures the IKE and
// ESP traffic, and writes test/fixtures/strongswan/<scenario>/ once every key has been recomputed,
// found in both logs, used to decrypt the capture, and tshark has decrypted it too.
//
//   sudo bash scripts/install-interop-deps.sh
//   sudo node scripts/record-strongswan.mjs [scenario ...] [--keep]
//
// No argument records every scenario. --keep leaves the lab folder (/tmp/sks-*) for inspection.
// Steps a scenario.json may list: initiate, traffic, rekey-child, rekey-ike, dpd, terminate-child,
// terminate-ike. Side "a" (moon) initiates everything; "dir": "i->r" in the fixtures is moon -> sun.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLab, listScenarios, loadScenario, run } from "../test/interop/lab.mjs";
import { buildFixture } from "../test/interop/fixture.mjs";
import { tsharkCheck } from "../test/interop/tshark.mjs";
import { trimCharonLog } from "../test/interop/charon-log.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outRoot = join(root, "test", "fixtures", "strongswan");
const args = process.argv.slice(2);
const keep = args.includes("--keep");
const names = args.filter((a) => !a.startsWith("--"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One UDP datagram from `from` to `to` port 9 (discard), sent inside namespace ns through the tunnel.
// The peer's kernel answers with ICMP port unreachable, so ESP flows both ways.
async function udpThroughTunnel(lab, ns, from, to, text) {
  const js = `const s=require("dgram").createSocket("udp4");s.bind(0,${JSON.stringify(from)},()=>s.send(${JSON.stringify(text)},9,${JSON.stringify(to)},()=>s.close()))`;
  await lab.exec(ns, [process.execPath, "-e", js]);
}

async function waitForLog(file, re, count, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const n = (readFileSync(file, "utf8").match(re) ?? []).length;
    if (n >= count) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${re} in ${file}`);
}

async function record(name) {
  const sc = loadScenario(name);
  const conn = sc.name;
  console.log(`== ${name}: ${sc.description}`);
  const lab = await createLab({ name, keep });
  const done = [];
  try {
    const confA = lab.writeConfig("a", name), confB = lab.writeConfig("b", name);
    const cap = await lab.capture(lab.nsA, lab.ifA);
    const moon = await lab.startCharon(lab.nsA, confA);
    const sun = await lab.startCharon(lab.nsB, confB);
    await lab.swanctl(moon, ["--load-all"]);
    await lab.swanctl(sun, ["--load-all"]);
    let traffic = 0;
    for (const step of sc.steps) {
      process.stdout.write(`   ${step}\n`);
      switch (step) {
        case "initiate": await lab.swanctl(moon, ["--initiate", "--child", conn, "--timeout", "20"]); break;
        case "traffic":
          traffic++;
          await udpThroughTunnel(lab, lab.nsA, lab.innerA, lab.innerB, `moon to sun #${traffic}`);
          await udpThroughTunnel(lab, lab.nsB, lab.innerB, lab.innerA, `sun to moon #${traffic}`);
          break;
        case "rekey-child": await lab.swanctl(moon, ["--rekey", "--child", conn]); break;
        case "rekey-ike": await lab.swanctl(moon, ["--rekey", "--ike", conn]); break;
        case "dpd": {
          // dpd_delay makes moon check liveness once the SA has been idle that long.
          const before = (readFileSync(moon.logFile, "utf8").match(/sending DPD request/g) ?? []).length;
          await waitForLog(moon.logFile, /sending DPD request/g, before + 1, 15_000);
          break;
        }
        case "terminate-child": await lab.swanctl(moon, ["--terminate", "--child", conn, "--timeout", "10"]); break;
        case "terminate-ike": await lab.swanctl(moon, ["--terminate", "--ike", conn, "--timeout", "10"]); break;
        default: throw new Error(`${name}: unknown step '${step}'`);
      }
      done.push(step);
      await sleep(600); // let the exchange (and the INFORMATIONAL that follows a rekey) finish
    }
    await moon.stop();
    await sun.stop();
    const pcapPath = await cap.stop();

    const logs = { a: trimCharonLog(readFileSync(moon.logFile, "utf8")), b: trimCharonLog(readFileSync(sun.logFile, "utf8")) };
    const fixture = buildFixture({ scenario: sc, pcap: readFileSync(pcapPath), logs, addrA: lab.addrA });
    const ts = await tsharkCheck(pcapPath, fixture);
    if (ts.problems.length) throw new Error(`tshark check failed:\n  ${ts.problems.join("\n  ")}`);

    const out = join(outRoot, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, "wireshark"), { recursive: true });
    copyFileSync(pcapPath, join(out, "capture.pcap"));
    writeFileSync(join(out, "charon-moon.log"), logs.a);
    writeFileSync(join(out, "charon-sun.log"), logs.b);
    writeFileSync(join(out, "wireshark", "ikev2_decryption_table"), fixture.wireshark.ikev2);
    writeFileSync(join(out, "wireshark", "esp_sa"), fixture.wireshark.esp);
    const json = (file, v) => writeFileSync(join(out, file), JSON.stringify(v, null, 2) + "\n");
    json("messages.json", fixture.messages);
    json("esp.json", fixture.esp);
    json("keys.json", { strongswanVersion: fixture.strongswanVersion, ikeSas: fixture.ikeSas });
    json("scenario.json", {
      name, description: sc.description,
      strongswanVersion: fixture.strongswanVersion,
      tools: { tshark: ts.version, node: process.version, charonPlugins: "kernel-libipsec (ESP in user space, UDP-encapsulated: it announces NAT)" },
      auth: "psk", psk: sc.psk,
      initiator: { name: "moon", id: sc.identities.a, address: lab.addrA, tunnelAddress: lab.innerA, side: "a" },
      responder: { name: "sun", id: sc.identities.b, address: lab.addrB, tunnelAddress: lab.innerB, side: "b" },
      proposals: { ike: sc.ike.proposals, esp: sc.esp.proposals },
      steps: done,
      exchanges: fixture.exchanges,
      counts: fixture.stats,
      validation: {
        keys: "every SKEYSEED, SK_* and KEYMAT recomputed from the logged g^ir and the nonces on the wire (RFC 7296 §2.14, §2.17, §2.18) and equal in both daemons' logs",
        ike: `${fixture.messages.filter((m) => m.decryptedHex !== undefined).length} encrypted messages decrypted and authenticated; PSK AUTH payloads verified`,
        esp: `${fixture.esp.length} ESP packets decrypted and authenticated`,
        tshark: `${ts.version}: ${ts.ike.decrypted}/${ts.ike.checked} IKE messages and ${ts.esp.decrypted}/${ts.esp.checked} ESP packets decrypted with wireshark/*`,
      },
      files: {
        "messages.json": "every IKE datagram in capture order: i, frame (pcap frame number), dir (i->r = moon->sun), src, dst, udpPayloadHex (non-ESP marker stripped), nonEspMarker; plus exchange, response, messageId, SPIi, SPIr, payloads, decryptedHex (SK plaintext without padding), fragment/reassembledFrom for SKF",
        "esp.json": "every ESP packet (UDP-encapsulated, port 4500): SPI, seq, udpPayloadHex, nextHeader, innerPacketHex; keys in keys.json under the Child SA whose initiatorToResponder/responderToInitiator SPI matches",
        "keys.json": "per IKE SA (SPIi/SPIr): algorithms, Ni, Nr, g^ir, SKEYSEED (for a rekeyed SA also SK_d(old)), SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr (SK_e* include the 4-byte GCM salt), and its Child SAs with KEYMAT split per direction",
        "wireshark/": "ikev2_decryption_table and esp_sa for Wireshark/tshark (WIRESHARK_CONFIG_DIR), save-keys format",
        "capture.pcap": "tcpdump on moon's veth, UDP 500 and 4500",
        "charon-*.log": "charon filelogs (ike/chd at level 4), trimmed to the exchanges",
      },
    });
    console.log(`   ok: ${fixture.stats.ikeMessages} IKE messages, ${fixture.stats.espPackets} ESP packets, ${fixture.stats.ikeSas} IKE SAs, ${fixture.stats.childSas} Child SAs; tshark ${ts.ike.decrypted}/${ts.ike.checked} + ${ts.esp.decrypted}/${ts.esp.checked} -> ${out}`);
    return true;
  } finally {
    await lab.destroy();
  }
}

// Scenarios marked `live` are rendered by the live interop tests, not recorded.
const all = names.length ? names : listScenarios().filter((n) => !loadScenario(n).live);
for (const tool of ["swanctl", "tshark", "tcpdump"]) {
  await run(["sh", "-c", `command -v ${tool}`]).catch(() => { console.error(`${tool} missing: run scripts/install-interop-deps.sh as root`); process.exit(2); });
}
let failed = 0;
for (const name of all) {
  try { await record(name); } catch (e) { failed++; console.error(`   FAILED ${name}: ${e.stack ?? e}`); }
}
console.log(`${all.length - failed} recorded, ${failed} failed`);
process.exit(failed ? 1 : 0);
