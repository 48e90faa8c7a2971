// Certificate authentication in IKE_AUTH over the in-memory simulation (test/engine/sim.ts): RSA-2048,
// ECDSA P-256/P-384 and Ed25519 in both roles, RFC 7427 Digital Signature (14) and the classic methods
// (1, 9, 10), one side PSK and the other a certificate, CERTREQ, IKE_AUTH fragmented (RFC 7383), and
// every way a peer's certificate is refused (expired, not yet valid, wrong CA, missing intermediate,
// identity mismatch, wrong key usage, revoked): AUTHENTICATION_FAILED, a log line naming the reason,
// nothing left on either side. The fixture PKI (test/fixtures/pki/make.sh) is valid around 2027-01-15,
// which is the injected wall clock here.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";
import { Sim, eventsOf, type Node } from "./sim.ts";
import { Endpoint } from "../../ts/engine/endpoint.ts";
import { ConfigError, resolveConfig, type EndpointConfig, type EndpointInput } from "../../ts/engine/config.ts";
import type { EngineEvent, LogRecord } from "../../ts/engine/types.ts";
import { parseCertificates, parsePrivateKey } from "../../ts/pki/index.ts";
import { ExchangeType, PayloadType } from "../../ts/wire/iana.ts";
import { decodeMessage } from "../../ts/wire/message.ts";
import { ConfigFileError, loadConfig, referencedFiles } from "../../ts/app/config.ts";
import type { Host } from "../../ts/app/host.ts";
import { runProgram } from "../../ts/app/program.ts";

const FIX = join(projectRoot, "test", "fixtures", "pki");
const pem = (name: string) => readFileSync(join(FIX, name), "utf8");
const WALL = Date.UTC(2027, 0, 15);
const A_IP = "198.18.0.1", B_IP = "198.18.0.2";
const ROOT = pem("root.crt"), INTER = pem("inter.crt");

/** A leaf with its key; `inter`: send the intermediate CA with it. */
interface Cred { id: string; leaf: string; inter: boolean }
const CREDS = {
  rsa: { id: "edge.example", leaf: "leaf-rsa", inter: true },
  p256: { id: "p256.example", leaf: "leaf-p256", inter: true },
  p384: { id: "p384.example", leaf: "leaf-p384", inter: false }, // issued by the root directly
  ed25519: { id: "ed25519.example", leaf: "leaf-ed25519", inter: true },
} satisfies Record<string, Cred>;

const localCert = (c: Cred, extra: object = {}) => ({ id: c.id, cert: pem(`${c.leaf}.crt`) + (c.inter ? INTER : ""), key: pem(`${c.leaf}.key`), ...extra });

interface Side { local: object; remote?: object; psk?: string; extra?: object; mutate?: (c: EndpointConfig) => void }

function conn(name: string, address: string, side: Side, remote: object) {
  return {
    name, local: { address, ...side.local }, remote: { ...remote, ...(side.remote ?? {}) }, ...(side.psk ? { psk: side.psk } : {}),
    ike: { proposals: "aes128gcm16-prfsha256-x25519", rekeyTime: 3600, dpdDelay: 0 },
    children: [{ name: "net", esp: "aes128gcm16", localTs: [name === "tunnel" ? "10.1.0.0/16" : "10.2.0.0/16"], remoteTs: [name === "tunnel" ? "10.2.0.0/16" : "10.1.0.0/16"] }],
  };
}

/** A node like Sim.add, with the wall clock certificates need and every log record kept. */
function addNode(sim: Sim, ip: string, input: EndpointInput, mutate?: (c: EndpointConfig) => void): Node {
  const config = resolveConfig(input);
  mutate?.(config);
  const logs: LogRecord[] = [];
  const ep = new Endpoint({ config, crypto: sim.provider, now: sim.now, log: (r) => logs.push(r), wallClock: () => WALL + sim.now });
  const n: Node = { ip, ep, events: [], logs, deadline: undefined };
  sim.nodes.set(ip, n);
  return n;
}

/** `a` initiates ("tunnel") to `b` ("gw"); the remote id of `a` is b's local id unless given. */
function pair(seed: number, a: Side, b: Side) {
  const sim = new Sim(seed);
  const bId = (b.local as { id: string }).id;
  const an = addNode(sim, A_IP, { connections: [conn("tunnel", A_IP, a, { id: bId, address: B_IP })], ...(a.extra ?? {}) } as EndpointInput, a.mutate);
  const bn = addNode(sim, B_IP, { connections: [conn("gw", B_IP, b, { id: "%any" })], ...(b.extra ?? {}) } as EndpointInput, b.mutate);
  return { sim, a: an, b: bn };
}

function run(sim: Sim, a: Node, b: Node, until = 120_000) {
  sim.cmd(a, (ep, now) => ep.initiate("tunnel", now));
  sim.run(sim.now + until, () => eventsOf(a, "child-up").length > 0 && eventsOf(b, "child-up").length > 0);
}

const trustRoot = { cacerts: ROOT };
const logOf = (n: Node, event: string) => n.logs.filter((l) => l.event === event);
const methodSent = (n: Node) => logOf(n, "auth-signature").map((l) => l.method);

function assertUp(a: Node, b: Node) {
  assert.equal(eventsOf(a, "ike-up").length, 1, JSON.stringify(a.logs.filter((l) => l.level !== "debug")));
  assert.equal(eventsOf(b, "ike-up").length, 1, JSON.stringify(b.logs.filter((l) => l.level !== "debug")));
  assert.equal(a.ep.childCount, 1);
  assert.equal(b.ep.childCount, 1);
  const ca = eventsOf(a, "child-up")[0] as Extract<EngineEvent, { type: "child-up" }>, cb = eventsOf(b, "child-up")[0] as Extract<EngineEvent, { type: "child-up" }>;
  assert.deepEqual(ca.keys.encrKeyOut, cb.keys.encrKeyIn);
}

// ------------------------------------------------------------------ key types, both roles

const METHOD_14 = /Digital Signature \(14, RFC 7427\)/;
for (const kind of ["rsa", "p256", "p384", "ed25519"] as const) {
  for (const role of ["initiator", "responder"] as const) {
    test(`certificates: ${kind} as ${role} (the other side ECDSA P-256), RFC 7427 Digital Signature, chain validated to the root`, () => {
      const mine = CREDS[kind], other = CREDS.p256;
      const [ca, cb] = role === "initiator" ? [mine, other] : [other, mine];
      const { sim, a, b } = pair(11, { local: localCert(ca), remote: trustRoot }, { local: localCert(cb), remote: trustRoot });
      run(sim, a, b);
      assertUp(a, b);
      assert.deepEqual(methodSent(a), [14]);
      assert.deepEqual(methodSent(b), [14]);
      // Each side logs whose certificate it accepted and the path up to the root.
      const leafOf = (c: Cred) => parseCertificates(pem(`${c.leaf}.crt`))[0].subjectText;
      const accepted = (n: Node) => String(logOf(n, "peer-authenticated")[0]?.reason);
      assert.match(accepted(b), METHOD_14);
      assert.ok(accepted(b).includes(`by ${leafOf(ca)}, chain ${leafOf(ca)} <- `) && accepted(b).endsWith("CN=Root CA, O=skeyseed test"), accepted(b));
      assert.ok(accepted(a).includes(`by ${leafOf(cb)}`), accepted(a));
      assert.equal(a.ep.ikeSas()[0].remoteId, cb.id);
      assert.equal(b.ep.ikeSas()[0].remoteId, ca.id);
    });
  }
}

test("certificates: RSA with RSASSA-PSS under method 14 both ways", () => {
  const { sim, a, b } = pair(12, { local: localCert(CREDS.rsa, { rsaPadding: "pss" }), remote: trustRoot },
    { local: localCert({ ...CREDS.rsa, id: "edge@example.org" }, { rsaPadding: "pss" }), remote: trustRoot });
  run(sim, a, b);
  assertUp(a, b);
  assert.deepEqual(logOf(a, "auth-signature").map((l) => l.scheme), ["rsa-pss"]);
  assert.deepEqual(logOf(b, "auth-signature").map((l) => l.scheme), ["rsa-pss"]);
  assert.equal(a.ep.ikeSas()[0].remoteId, "edge@example.org", "an RFC822 identity matched against the email subjectAltName");
});

for (const [kind, method] of [["rsa", 1], ["p256", 9], ["p384", 10]] as const) {
  test(`certificates: classic AUTH method ${method} (${kind}) in both roles`, () => {
    const c = CREDS[kind];
    const { sim, a, b } = pair(13, { local: localCert(c, { signature: "classic" }), remote: trustRoot }, { local: localCert({ ...c, id: c.id }, { signature: "classic" }), remote: trustRoot });
    run(sim, a, b);
    assertUp(a, b);
    assert.deepEqual(methodSent(a), [method]);
    assert.deepEqual(methodSent(b), [method]);
    assert.match(String(logOf(b, "peer-authenticated")[0].reason), method === 1 ? /RSA signature \(1\)/ : method === 9 ? /ECDSA P-256 \(9\)/ : /ECDSA P-384 \(10\)/);
  });
}

test("certificates: an IP address identity matched against the iPAddress subjectAltName", () => {
  const { sim, a, b } = pair(14, { local: localCert({ ...CREDS.rsa, id: "192.0.2.10" }), remote: trustRoot }, { local: localCert(CREDS.p256), remote: trustRoot });
  run(sim, a, b);
  assertUp(a, b);
  assert.equal(b.ep.ikeSas()[0].remoteId, "192.0.2.10");
});

test("mixed: the initiator signs with its certificate, the responder uses a pre-shared key, each as the other expects", () => {
  const { sim, a, b } = pair(15,
    { local: localCert(CREDS.p256), remote: { auth: "psk" }, psk: "mixed secret" },
    { local: { id: "gw.example" }, remote: trustRoot, psk: "mixed secret" });
  run(sim, a, b);
  assertUp(a, b);
  assert.deepEqual(methodSent(a), [14]);
  assert.deepEqual(methodSent(b), [], "the responder sent a PSK AUTH");
  // And the other way round.
  const r = pair(16, { local: { id: "edge.example" }, remote: trustRoot, psk: "mixed secret" }, { local: localCert(CREDS.p256), remote: { auth: "psk" }, psk: "mixed secret" });
  run(r.sim, r.a, r.b);
  assertUp(r.a, r.b);
  assert.deepEqual(methodSent(r.a), []);
  assert.deepEqual(methodSent(r.b), [14]);
});

test("mixed: a side that expects a certificate refuses a pre-shared key AUTH, and one that expects a PSK refuses a signature", () => {
  // The responder expects a certificate; the initiator authenticates with a PSK.
  const one = pair(17, { local: { id: "edge.example" }, remote: trustRoot, psk: "s" }, { local: localCert(CREDS.p256), remote: trustRoot, psk: "s" });
  run(one.sim, one.a, one.b);
  assert.match(String(logOf(one.b, "auth-failed")[0]?.reason), /authenticates with a pre-shared key \(2\); connection gw expects a certificate signature/);
  assert.equal(one.a.ep.ikeCount + one.b.ep.ikeCount, 0);
  // The responder expects a PSK; the initiator signs.
  const two = pair(18, { local: localCert(CREDS.p256), remote: trustRoot, psk: "s" }, { local: localCert(CREDS.rsa), remote: { auth: "psk" }, psk: "s" });
  run(two.sim, two.a, two.b);
  assert.match(String(logOf(two.b, "auth-failed")[0]?.reason), /authenticates with Digital Signature \(14, RFC 7427\); connection gw expects a pre-shared key/);
  assert.equal(two.a.ep.ikeCount + two.b.ep.ikeCount, 0);
});

// ------------------------------------------------------------------ CERTREQ, fragmentation

test("CERTREQ: each side asks with the SHA-1 key hash of its trust anchor; sendCert: ifasked sends only when asked", () => {
  const certreqs: Uint8Array[] = [];
  const { sim, a, b } = pair(19, { local: localCert(CREDS.p256, { sendCert: "ifasked" }), remote: trustRoot }, { local: localCert(CREDS.rsa, { sendCert: "ifasked" }), remote: trustRoot });
  sim.tap = (dg, from) => {
    if (from !== B_IP || dg.data[18] !== ExchangeType.IKE_SA_INIT) return;
    for (const p of decodeMessage(dg.data).payloads) if (p.type === PayloadType.CERTREQ) certreqs.push((p as unknown as { data: Uint8Array }).data);
  };
  run(sim, a, b);
  assertUp(a, b);
  // The responder's IKE_SA_INIT names our one trust anchor by the SHA-1 of its subjectPublicKeyInfo (RFC 7296 §3.7).
  assert.deepEqual(certreqs.map((d) => [...d].map((x) => x.toString(16).padStart(2, "0")).join("")), [createHash("sha1").update(parseCertificates(ROOT)[0].spki).digest("hex")]);
  // Both asked (b in IKE_SA_INIT, a in IKE_AUTH), so both sent their chains: each AUTH was checked against a certificate.
  assert.match(String(logOf(a, "peer-authenticated")[0].reason), /by CN=edge, O=skeyseed test/);
  assert.match(String(logOf(b, "peer-authenticated")[0].reason), /by CN=edge-p256, O=skeyseed test/);
  // Without a CERTREQ from the responder, an "ifasked" initiator sends no certificate and is refused for it.
  const no = pair(20, { local: localCert(CREDS.p256, { sendCert: "ifasked" }), remote: trustRoot }, { local: localCert(CREDS.rsa), remote: { ...trustRoot, sendCertReq: false } });
  run(no.sim, no.a, no.b);
  assert.match(String(logOf(no.b, "auth-failed")[0]?.reason), /the peer sent no X\.509 certificate \(CERT payload, encoding 4\)/);
  assert.equal(no.a.ep.ikeCount + no.b.ep.ikeCount, 0);
});

/** IKE_AUTH datagrams by sender: how many, whether SKF (53) or SK (46), largest size. */
function authDatagrams(sim: Sim) {
  const out: Record<string, { n: number; skf: number; max: number }> = {};
  const prev = sim.tap;
  sim.tap = (dg, from) => {
    prev?.(dg, from);
    if (dg.data[18] !== ExchangeType.IKE_AUTH) return;
    const o = (out[from] ??= { n: 0, skf: 0, max: 0 });
    o.n++;
    if (dg.data[16] === PayloadType.SKF) o.skf++;
    o.max = Math.max(o.max, dg.data.length);
  };
  return out;
}

test("fragmentation: an IKE_AUTH carrying an RSA chain is sent as SKF fragments within fragmentSize both ways (RFC 7383)", () => {
  const { sim, a, b } = pair(21, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 1000 } }, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 1000 } });
  const d = authDatagrams(sim);
  run(sim, a, b);
  assertUp(a, b);
  for (const ip of [A_IP, B_IP]) {
    assert.ok(d[ip].n >= 2 && d[ip].skf === d[ip].n, `${ip}: ${JSON.stringify(d[ip])}`);
    assert.ok(d[ip].max + 28 <= 1000, `${ip}: a fragment of ${d[ip].max} bytes exceeds 1000 with IP/UDP headers`);
  }
});

test("fragmentation: without FRAGMENTATION_SUPPORTED from the peer the same IKE_AUTH goes whole, and still succeeds", () => {
  const { sim, a, b } = pair(22, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 1000 } }, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 0 } });
  const d = authDatagrams(sim);
  run(sim, a, b);
  assertUp(a, b);
  assert.equal(d[A_IP].skf, 0);
  assert.equal(d[A_IP].n, 1);
  assert.ok(d[A_IP].max > 1000, `one IKE_AUTH request of ${d[A_IP].max} bytes`);
});

test("fragmentation: fragments lost on the way are retransmitted and the handshake completes", () => {
  const { sim, a, b } = pair(23, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 900 } }, { local: localCert(CREDS.rsa), remote: trustRoot, extra: { fragmentSize: 900 } });
  let dropped = 0;
  sim.filter = (dg) => !(dg.data[18] === ExchangeType.IKE_AUTH && dg.data[16] === PayloadType.SKF && dropped++ < 1);
  run(sim, a, b);
  assertUp(a, b);
  assert.equal(dropped > 0, true);
});

// ------------------------------------------------------------------ refusals

interface BadCase { name: string; cred: Side["local"]; trust?: object; claimed?: string; mutate?: (c: EndpointConfig) => void; reason: RegExp }

const keyenc = (c: EndpointConfig) => {
  // The configuration refuses a leaf without digitalSignature for our own use; a misbehaving peer may still send one.
  const la = c.connections[0].localAuth;
  if (la.kind !== "pubkey") throw new Error("expected pubkey");
  la.chain = [...parseCertificates(pem("leaf-keyenc.crt")), ...parseCertificates(INTER)];
  la.key = parsePrivateKey(pem("leaf-keyenc.key"));
};

const otherKey = (c: EndpointConfig) => {
  // AUTH signed with a key that is not the certificate's (same type, so only the signature check can tell).
  const la = c.connections[0].localAuth;
  if (la.kind !== "pubkey") throw new Error("expected pubkey");
  la.key = parsePrivateKey(pem("leaf-sub.key"));
};

const garbled = (c: EndpointConfig) => {
  const la = c.connections[0].localAuth;
  if (la.kind !== "pubkey") throw new Error("expected pubkey");
  la.chain = [{ ...la.chain[0], der: new TextEncoder().encode("-----BEGIN CERTIFICATE-----") }, ...la.chain.slice(1)];
};

const BAD: BadCase[] = [
  { name: "unparsable certificate", cred: localCert(CREDS.p256), mutate: garbled,
    reason: /(peer|responder)'s certificate cannot be parsed: CERT payload 1 is not a DER certificate/ },
  { name: "signature by another key", cred: localCert(CREDS.p256), mutate: otherKey,
    reason: /AUTH of p256\.example refused: ECDSA with SHA256 signature \(AUTH method 14\) does not verify with the certificate's key/ },
  { name: "expired", cred: { id: "expired.example", cert: pem("expired.crt") + INTER, key: pem("expired.key") },
    reason: /certificate refused: certificate CN=expired, O=skeyseed test expired on 2026-01-01/ },
  { name: "not yet valid", cred: { id: "notyet.example", cert: pem("notyet.crt") + INTER, key: pem("notyet.key") },
    reason: /certificate refused: certificate CN=notyet, O=skeyseed test is not valid before 2030-01-01/ },
  { name: "wrong CA", cred: { id: "edge.example", cert: pem("leaf-wrongca.crt") + pem("wrongca.crt"), key: pem("leaf-wrongca.key") },
    reason: /certificate refused: unknown issuer of CN=stranger, O=skeyseed test: CN=Wrong CA, O=skeyseed test is neither a trust anchor/ },
  { name: "wrong CA (its root trusted instead of ours)", cred: localCert(CREDS.p256), trust: { cacerts: pem("wrongca.crt") },
    reason: /certificate refused: unknown issuer of CN=Intermediate CA, O=skeyseed test: CN=Root CA/ },
  { name: "missing intermediate", cred: { id: "p256.example", cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") },
    reason: /certificate refused: unknown issuer of CN=edge-p256, O=skeyseed test: CN=Intermediate CA, O=skeyseed test .*missing intermediate/ },
  { name: "identity mismatch", cred: { id: "other.example", cert: pem("leaf-p256.crt") + INTER, key: pem("leaf-p256.key") },
    reason: /certificate refused: identity other\.example not in subjectAltName of CN=edge-p256/ },
  { name: "wrong key usage", cred: localCert(CREDS.p256, { id: "keyenc.example" }), mutate: keyenc,
    reason: /certificate refused: key usage of CN=keyenc, O=skeyseed test lacks digitalSignature/ },
  { name: "revoked", cred: { id: "revoked.example", cert: pem("revoked.crt") + INTER, key: pem("revoked.key") }, trust: { cacerts: ROOT, crls: pem("inter.crl") },
    reason: /certificate refused: certificate CN=revoked, O=skeyseed test \(serial [0-9a-f]+\) was revoked by CN=Intermediate CA/ },
];

function assertRefused(refuser: Node, refused: Node, reason: RegExp) {
  const failed = eventsOf(refuser, "auth-failed") as Extract<EngineEvent, { type: "auth-failed" }>[];
  assert.equal(failed.length, 1, JSON.stringify(refuser.logs.filter((l) => l.level !== "debug")));
  assert.match(failed[0].reason, reason);
  assert.equal(failed[0].local, true, "we refused the peer");
  assert.equal((eventsOf(refused, "auth-failed")[0] as { local?: boolean } | undefined)?.local, false, "the peer refused us");
  // The log line names the reason.
  assert.ok(refuser.logs.some((l) => l.level === "warn" && (l.event === "auth-failed" || l.event === "exchange-failed") && reason.test(String(l.reason))),
    JSON.stringify(refuser.logs.filter((l) => l.level !== "debug")));
  // The other side hears AUTHENTICATION_FAILED and gives up too.
  assert.equal(eventsOf(refused, "auth-failed").length, 1, JSON.stringify(refused.events.map((e) => e.type)));
  for (const n of [refuser, refused]) {
    assert.equal(n.ep.ikeCount, 0, `${n.ip} kept an IKE SA`);
    assert.equal(n.ep.childCount, 0);
  }
  assert.equal(eventsOf(refuser, "ike-up").length + eventsOf(refuser, "child-up").length, 0);
  // A refused responder had completed its side (§2.21.2); what it set up is torn down again.
  assert.equal(eventsOf(refused, "ike-up").length, eventsOf(refused, "ike-down").length);
  assert.equal(eventsOf(refused, "child-up").length, eventsOf(refused, "child-down").length);
}

for (const c of BAD) {
  test(`refused (${c.name}) by the responder: AUTHENTICATION_FAILED, the reason logged, nothing left on either side`, () => {
    const { sim, a, b } = pair(31, { local: c.cred, remote: trustRoot, mutate: c.mutate }, { local: localCert(CREDS.rsa), remote: c.trust ?? trustRoot });
    run(sim, a, b);
    assertRefused(b, a, c.reason);
    assert.match(String((eventsOf(a, "auth-failed")[0] as { reason: string }).reason), /AUTHENTICATION_FAILED\): check that the peer trusts our certificate's CA/);
  });
  test(`refused (${c.name}) by the initiator: INFORMATIONAL AUTHENTICATION_FAILED to the responder, nothing left on either side`, () => {
    const { sim, a, b } = pair(32, { local: localCert(CREDS.rsa), remote: c.trust ?? trustRoot }, { local: c.cred, remote: trustRoot, mutate: c.mutate });
    run(sim, a, b);
    assertRefused(a, b, c.reason);
  });
}

test("refused: an Ed25519 signer whose peer lacks Identity (5) in SIGNATURE_HASH_ALGORITHMS fails with a reason, not a hang", () => {
  const { sim, a, b } = pair(33, { local: localCert(CREDS.ed25519), remote: trustRoot }, { local: localCert(CREDS.p256), remote: trustRoot });
  // Strip Identity from the responder's announcement: rewrite the last 2 octets of b's list (0x0005) to SHA2-512 (0x0004).
  const prev = sim.filter;
  sim.filter = (dg, from) => {
    if (from === B_IP && dg.data[18] === ExchangeType.IKE_SA_INIT) {
      const d = dg.data;
      for (let i = 0; i + 16 <= d.length; i++) {
        // Notify header: ... type 16431 (0x402f) then 00 02 00 03 00 04 00 05
        if (d[i] === 0x40 && d[i + 1] === 0x2f && d[i + 8] === 0 && d[i + 9] === 5) { d[i + 9] = 4; break; }
      }
    }
    return prev ? prev(dg, from) : true;
  };
  run(sim, a, b);
  const f = [...eventsOf(a, "auth-failed"), ...eventsOf(a, "ike-failed")] as { reason: string }[];
  assert.equal(f.length, 1);
  assert.match(f[0].reason, /cannot sign our AUTH: .*lack Identity \(5\)/);
  assert.equal(a.ep.ikeCount, 0);
});

// ------------------------------------------------------------------ configuration

function configIssues(input: unknown, now?: number): string[] {
  try {
    resolveConfig(input, { now });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

const oneConn = (local: object, remote: object = trustRoot, extra: object = {}) => ({ connections: [{ name: "c", local: { id: "p256.example", ...local }, remote, ...extra }] });

test("config: certificate problems name their field: key not matching, unparsable PEM, expired at the given time, missing parts", () => {
  assert.deepEqual(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") })), []);
  assert.deepEqual(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-rsa.key") })),
    ["connections[0].local.key: private key (rsa) does not match certificate CN=edge-p256, O=skeyseed test (ecdsa key)"]);
  assert.deepEqual(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("expired.key") })),
    ["connections[0].local.key: private key does not match certificate CN=edge-p256, O=skeyseed test"]);
  const broken = pem("leaf-p256.crt").replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!");
  assert.match(configIssues(oneConn({ cert: broken, key: pem("leaf-p256.key") })).join("\n"), /^connections\[0\]\.local\.cert: certificate: PEM body is not valid base64$/m);
  assert.match(configIssues(oneConn({ cert: "hello", key: pem("leaf-p256.key") })).join("\n"), /^connections\[0\]\.local\.cert: certificate: no CERTIFICATE or X509 CERTIFICATE PEM block found$/m);
  assert.match(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.crt") })).join("\n"), /^connections\[0\]\.local\.key: private key: no .*PRIVATE KEY PEM block found$/m);
  assert.match(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") }, { cacerts: "garbage" })).join("\n"), /^connections\[0\]\.remote\.cacerts: certificate: no CERTIFICATE/m);
  assert.match(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") }, { cacerts: [ROOT, "x"] })).join("\n"), /^connections\[0\]\.remote\.cacerts\[1\]: /m);
  assert.match(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") }, { cacerts: ROOT, crls: ["nope"] })).join("\n"), /^connections\[0\]\.remote\.crls\[0\]: CRL: no X509 CRL PEM block found$/m);
  // Dates are checked when the caller gives the wall-clock time.
  const expired = oneConn({ id: "expired.example", cert: pem("expired.crt") + INTER, key: pem("expired.key") });
  assert.deepEqual(configIssues(expired), []);
  assert.deepEqual(configIssues(expired, WALL), ["connections[0].local.cert: certificate CN=expired, O=skeyseed test expired on 2026-01-01"]);
  assert.deepEqual(configIssues(oneConn({ cert: pem("leaf-keyenc.crt"), key: pem("leaf-keyenc.key") })),
    ["connections[0].local.cert: certificate CN=keyenc, O=skeyseed test lacks the digitalSignature key usage that IKE signatures need"]);
  // Missing parts.
  assert.deepEqual(configIssues(oneConn({ auth: "pubkey" })), [
    "connections[0].local.cert: required (PEM text of our certificate, leaf first) when local.auth is pubkey",
    "connections[0].local.key: required (PEM text of our private key) when local.auth is pubkey"]);
  assert.deepEqual(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") }, { auth: "pubkey" })),
    ["connections[0].remote.cacerts: required (PEM text of the CA certificates we trust) when remote.auth is pubkey"]);
  assert.match(configIssues(oneConn({}, {}))[0], /^connections\[0\]\.psk: required \(a string\)/);
  assert.match(configIssues(oneConn({ cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") }, { auth: "psk" }))[0], /^connections\[0\]\.psk: required \(a string\) \(remote\.auth is psk\)/);
});

test("config: auth is inferred (cert → pubkey, cacerts → pubkey, else psk); a DN identity may be written as text", () => {
  const c = resolveConfig(oneConn({ id: "CN=edge-p256, O=skeyseed test", cert: pem("leaf-p256.crt"), key: pem("leaf-p256.key") })).connections[0];
  assert.equal(c.localAuth.kind, "pubkey");
  assert.equal(c.remoteAuth.kind, "pubkey");
  assert.equal(c.localId.type, 9);
  const psk = resolveConfig({ connections: [{ name: "c", local: { id: "a.example" }, psk: "x" }] }).connections[0];
  assert.equal(psk.localAuth.kind, "psk");
  assert.equal(psk.remoteAuth.kind, "psk");
});

test("certificates: a DN identity (ID_DER_ASN1_DN) is matched against the certificate's subject", () => {
  const { sim, a, b } = pair(41, { local: localCert(CREDS.p256, { id: "CN=edge-p256, O=skeyseed test" }), remote: trustRoot }, { local: localCert(CREDS.rsa), remote: trustRoot });
  run(sim, a, b);
  assertUp(a, b);
  const wrong = pair(42, { local: localCert(CREDS.p256, { id: "CN=someone-else, O=skeyseed test" }), remote: trustRoot }, { local: localCert(CREDS.rsa), remote: trustRoot });
  run(wrong.sim, wrong.a, wrong.b);
  assertRefused(wrong.b, wrong.a, /identity CN=someone-else, O=skeyseed test not in subject of CN=edge-p256/);
});

// ------------------------------------------------------------------ program configuration files

const GW_YAML = `connections:
  - name: gw
    local: { id: p256.example, certFile: certs/leaf.pem, keyFile: /keys/leaf.key }
    remote: { cacertFiles: [certs/root.pem], crlFiles: certs/inter.crl }
    children: [{ name: net }]
`;

function fileIssues(text: string, files: Map<string, string | Error>, now?: number): string[] {
  try {
    loadConfig("gateway", "conf/gw.yaml", text, { files, now });
  } catch (e) {
    if (e instanceof ConfigFileError) return e.message.split("\n").slice(1).map((l) => l.trim());
    throw e;
  }
  return [];
}

test("program config: certFile, keyFile, cacertFiles and crlFiles are named for the host to read, relative to the config file", () => {
  assert.deepEqual(referencedFiles("conf/gw.yaml", GW_YAML), ["conf/certs/leaf.pem", "/keys/leaf.key", "conf/certs/root.pem", "conf/certs/inter.crl"]);
  const files = new Map<string, string | Error>([
    ["conf/certs/leaf.pem", pem("leaf-p256.crt") + INTER], ["/keys/leaf.key", pem("leaf-p256.key")], ["conf/certs/root.pem", ROOT], ["conf/certs/inter.crl", pem("inter.crl")],
  ]);
  const c = loadConfig("gateway", "conf/gw.yaml", GW_YAML, { files, now: WALL }).endpoint.connections[0];
  assert.equal(c.localAuth.kind, "pubkey");
  assert.equal(c.localAuth.kind === "pubkey" && c.localAuth.chain.length, 2);
  assert.equal(c.remoteAuth.kind === "pubkey" && c.remoteAuth.anchors[0].subjectText, "CN=Root CA, O=skeyseed test");
  assert.equal(c.remoteAuth.kind === "pubkey" && c.remoteAuth.crls.length, 1);
  // Each problem names the file field (with its line) and the file.
  const bad = new Map(files);
  bad.set("/keys/leaf.key", pem("leaf-rsa.key"));
  bad.set("conf/certs/root.pem", "not a certificate");
  bad.set("conf/certs/inter.crl", new Error("ENOENT: no such file or directory"));
  assert.deepEqual(fileIssues(GW_YAML, bad), [
    "conf/gw.yaml:4: connections[0].remote.crlFiles: cannot read certs/inter.crl: ENOENT: no such file or directory",
    "conf/gw.yaml:3: connections[0].local.keyFile: /keys/leaf.key: private key (rsa) does not match certificate CN=edge-p256, O=skeyseed test (ecdsa key)",
    "conf/gw.yaml:4: connections[0].remote.cacertFiles[0]: certs/root.pem: certificate: no CERTIFICATE or X509 CERTIFICATE PEM block found",
  ]);
  const expired = new Map(files);
  expired.set("conf/certs/leaf.pem", pem("expired.crt") + INTER);
  expired.set("/keys/leaf.key", pem("expired.key"));
  assert.deepEqual(fileIssues(GW_YAML.replace("p256.example", "expired.example"), expired, WALL),
    ["conf/gw.yaml:3: connections[0].local.certFile: certs/leaf.pem: certificate CN=expired, O=skeyseed test expired on 2026-01-01"]);
  assert.deepEqual(fileIssues(GW_YAML.replace("certFile: certs/leaf.pem", "certFile: certs/leaf.pem, cert: x"), files),
    ["conf/gw.yaml:3: connections[0].local.certFile: give local.cert or local.certFile, not both"]);
});

test("program: the host reads the files a configuration names; --check reports a missing one by field and file", async () => {
  const disk: Record<string, string> = {
    "conf/gw.yaml": GW_YAML, "conf/certs/leaf.pem": pem("leaf-p256.crt") + INTER, "/keys/leaf.key": pem("leaf-p256.key"),
    "conf/certs/root.pem": ROOT, "conf/certs/inter.crl": pem("inter.crl"),
  };
  const run = async () => {
    const out: string[] = [], err: string[] = [], read: string[] = [];
    const host = {
      runtime: "node", args: ["--config", "conf/gw.yaml", "--check"],
      clock: { now: () => 0, timestamp: () => "2027-01-15T00:00:00.000Z", timer: () => ({ arm() {}, disarm() {} }) },
      readTextFile: (p: string) => { read.push(p); return p in disk ? Promise.resolve(disk[p]) : Promise.reject(new Error(`ENOENT: no such file or directory, open '${p}'`)); },
      stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t),
    } as unknown as Host;
    const code = await runProgram("gateway", host);
    return { code, out: out.join(""), err: err.join(""), read };
  };
  const ok = await run();
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /conf\/gw\.yaml: OK: 1 connection \(gw\)/);
  assert.deepEqual(ok.read, ["conf/gw.yaml", "conf/certs/leaf.pem", "/keys/leaf.key", "conf/certs/root.pem", "conf/certs/inter.crl"]);
  delete disk["/keys/leaf.key"];
  const missing = await run();
  assert.equal(missing.code, 2);
  assert.match(missing.err, /conf\/gw\.yaml:3: connections\[0\]\.local\.keyFile: cannot read \/keys\/leaf\.key: ENOENT: no such file or directory/);
});

test("responder: among connections for %any, the one expecting the peer's kind of AUTH is chosen (certificate or PSK)", () => {
  for (const [seed, initiator, want] of [[51, "cert", "by-cert"], [52, "psk", "by-psk"]] as const) {
    const sim = new Sim(seed);
    const aSide: Side = initiator === "cert" ? { local: localCert(CREDS.p256), remote: trustRoot } : { local: { id: "edge.example" }, psk: "the psk" };
    const a = addNode(sim, A_IP, { connections: [conn("tunnel", A_IP, aSide, { id: "edge.example", address: B_IP })] } as EndpointInput);
    const b = addNode(sim, B_IP, { connections: [
      { ...conn("gw", B_IP, { local: { id: "edge.example" }, psk: "the psk" }, { id: "%any" }), name: "by-psk" },
      { ...conn("gw", B_IP, { local: localCert(CREDS.rsa), remote: trustRoot }, { id: "%any" }), name: "by-cert" },
    ] } as EndpointInput);
    run(sim, a, b);
    assertUp(a, b);
    assert.equal(b.ep.ikeSas()[0].name, want);
  }
});
