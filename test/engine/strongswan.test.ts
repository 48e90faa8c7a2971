// The engine against strongSwan 5.9.8 transcripts (test/fixtures/strongswan/), where they apply without
// strongSwan's private DH values: our responder answers strongSwan's recorded IKE_SA_INIT request with
// the same choice strongSwan's responder made, and messages protected with keys we do not hold are
// dropped and counted, never answered or crashed on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test, hex } from "../lib/harness.ts";
import { Endpoint } from "../../ts/engine/endpoint.ts";
import { resolveConfig } from "../../ts/engine/config.ts";
import { createWasmProvider } from "../../ts/crypto/wasm/provider.ts";
import { seededRandom } from "../../ts/crypto/random.ts";
import { decodeMessage } from "../../ts/wire/message.ts";
import { checkRules } from "../../ts/wire/rules.ts";
import { NotifyType, PayloadType } from "../../ts/wire/iana.ts";

const dir = join(projectRoot, "test", "fixtures", "strongswan");
const SCENARIOS = ["gcm-ecp256", "cbc-modp2048", "cbc-x25519", "fragmented"];

interface Msg { i: string; dir: string; src: string; dst: string; udpPayloadHex: string; exchange: string; response: boolean }

function load(name: string) {
  const scenario = JSON.parse(readFileSync(join(dir, name, "scenario.json"), "utf8"));
  const messages = JSON.parse(readFileSync(join(dir, name, "messages.json"), "utf8")) as Msg[];
  return { scenario, messages };
}

const addr = (s: string) => { const i = s.lastIndexOf(":"); return { ip: s.slice(0, i), port: Number(s.slice(i + 1)) }; };

for (const name of SCENARIOS) {
  test(`strongSwan ${name}: our responder answers the recorded IKE_SA_INIT with strongSwan's own choice`, () => {
    const { scenario, messages } = load(name);
    const ep = new Endpoint({
      config: resolveConfig({
        connections: [{ name: "sun", local: { id: scenario.responder.id, address: scenario.responder.address }, remote: { id: scenario.initiator.id }, psk: scenario.psk,
          ike: { proposals: scenario.proposals.ike }, children: [{ name: "net", esp: scenario.proposals.esp, localTs: ["198.19.2.0/24"], remoteTs: ["198.19.1.0/24"] }] }],
      }),
      crypto: createWasmProvider({ random: seededRandom(1) }), now: 0,
    });
    const req = messages[0], theirs = messages[1];
    assert.equal(req.exchange, "IKE_SA_INIT");
    const out = ep.receive({ local: addr(req.dst), remote: addr(req.src), data: hex(req.udpPayloadHex) }, 0);
    assert.equal(out.datagrams.length, 1, "one IKE_SA_INIT response");
    const ours = decodeMessage(out.datagrams[0].data), ss = decodeMessage(hex(theirs.udpPayloadHex));
    checkRules(34, true, ours.payloads, { encrypted: false });
    const sa = (m: typeof ours) => (m.payloads.find((p) => p.type === PayloadType.SA) as { proposals: { number: number; transforms: { type: number; id: number }[] }[] }).proposals[0];
    const norm = (p: ReturnType<typeof sa>) => p.transforms.map((t) => `${t.type}/${t.id}`).sort();
    assert.deepEqual(norm(sa(ours)), norm(sa(ss)), "same transforms as strongSwan's responder chose");
    assert.equal(sa(ours).number, sa(ss).number);
    const ke = (m: typeof ours) => (m.payloads.find((p) => p.type === PayloadType.KE) as { group: number; data: Uint8Array });
    assert.equal(ke(ours).group, ke(ss).group);
    assert.equal(ke(ours).data.length, ke(ss).data.length);
    const notes = (m: typeof ours) => m.payloads.filter((p) => p.type === PayloadType.N).map((p) => (p as { notifyType: number }).notifyType);
    for (const n of [NotifyType.NAT_DETECTION_SOURCE_IP, NotifyType.NAT_DETECTION_DESTINATION_IP]) assert.ok(notes(ours).includes(n));
    if (notes(ss).includes(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED)) assert.ok(notes(ours).includes(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    assert.equal(ep.halfOpenCount, 1);
    // A retransmission of the same request gets the same response from the cache.
    const again = ep.receive({ local: addr(req.dst), remote: addr(req.src), data: hex(req.udpPayloadHex) }, 10);
    assert.deepEqual(again.datagrams[0].data, out.datagrams[0].data);
  });

  test(`strongSwan ${name}: recorded protected messages under keys we do not hold are dropped and counted, never answered`, () => {
    const { scenario, messages } = load(name);
    const ep = new Endpoint({
      config: resolveConfig({ connections: [{ name: "sun", local: { id: scenario.responder.id }, psk: scenario.psk, ike: { proposals: scenario.proposals.ike } }] }),
      crypto: createWasmProvider({ random: seededRandom(2) }), now: 0,
    });
    const req = messages[0];
    const init = ep.receive({ local: addr(req.dst), remote: addr(req.src), data: hex(req.udpPayloadHex) }, 0);
    const ourSpiR = init.datagrams[0].data.subarray(8, 16);
    let replies = 0;
    for (const m of messages.slice(2)) {
      const out = ep.receive({ local: addr(m.dst), remote: addr(m.src), data: hex(m.udpPayloadHex) }, 1);
      replies += out.datagrams.length;
    }
    assert.equal(replies, 0);
    // strongSwan's later messages name SAs we do not have: dropped as unknown SPIs.
    assert.ok(ep.counters.unknownSpi >= messages.length - 3, `unknownSpi ${ep.counters.unknownSpi}`);
    // Its IKE_AUTH request readdressed to our half-open SA reaches it and fails the integrity check: no reply.
    const auth = messages.find((m) => m.exchange === "IKE_AUTH" && !m.response)!;
    const bytes = hex(auth.udpPayloadHex);
    bytes.set(ourSpiR, 8);
    const out = ep.receive({ local: addr(auth.dst), remote: addr(auth.src), data: bytes }, 2);
    assert.equal(out.datagrams.length, 0);
    assert.equal(ep.counters.icvFailures, 1);
    assert.equal(ep.halfOpenCount, 1, "the half-open SA is untouched");
  });
}
