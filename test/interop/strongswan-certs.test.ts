// Certificate authentication against a live strongSwan 5.9 (charon in the lab of lab.mjs, scenario
// `certs`), our side the Node library (node-peer.ts): RSA-2048, ECDSA P-256 and P-384 certificates made
// at test time by strongSwan's `pki` (one CA per case, of the leaf's key type), in both roles. strongSwan
// signs with RFC 7427 (method 14); we use method 14 or the classic methods 1, 9, 10; the RSA cases
// fragment IKE_AUTH both ways (RFC 7383). Each case checks both sides accepted the other's
// chain, that the SAs match, and deletes. A last case has strongSwan present a certificate from a CA
// we do not trust: we refuse it with AUTHENTICATION_FAILED and keep nothing. Needs root: `npm run test:interop`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";
import type { StatusSnapshot } from "../../ts/io/status.ts";
import { Proc, tempDir, type Line } from "../runtimes/procs.ts";
import { OURS, OUR_ID, OUR_TS, OUT_DIR, SUN, SUN_ID, SUN_TS, nodePeer, parseListSas, requireLab, until, type SwanSa } from "./live.ts";
// @ts-ignore: plain JS lab tooling
import { createLab, run } from "./lab.mjs";

const ONLY_NODE = { runtimes: ["node" as const], timeoutMs: 120_000 };
const SCENARIO = "certs";

type KeyType = "rsa" | "p256" | "p384";
const PKI_TYPE = { rsa: ["rsa", "2048"], p256: ["ecdsa", "256"], p384: ["ecdsa", "384"] } as const;
const CA_NAME = { rsa: "RSA", p256: "ECDSA", p384: "ECDSA P-384" } as const;

interface Pki { ca: string; sunCert: string; sunKey: string; ourCert: string; ourKey: string; strangerCa: string; strangerCert: string; strangerKey: string }

/** A CA, strongSwan's leaf and ours, all of `type`, with strongSwan's pki; plus a CA we do not trust with a leaf for sun. */
function makePki(dir: string, type: KeyType): Pki {
  const pki = (args: string[], input?: Uint8Array) => execFileSync("pki", args, { input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "ignore"] });
  const [t, size] = PKI_TYPE[type];
  const gen = (name: string) => { const f = join(dir, `${name}.key`); writeFileSync(f, pki(["--gen", "--type", t, "--size", size, "--outform", "pem"])); return f; };
  const ca = (name: string, cn: string) => {
    const key = gen(name);
    const crt = join(dir, `${name}.crt`);
    writeFileSync(crt, pki(["--self", "--ca", "--lifetime", "30", "--in", key, "--type", t, "--dn", `O=skeyseed interop, CN=${cn}`, "--outform", "pem"]));
    return { key, crt };
  };
  const leaf = (name: string, issuer: { key: string; crt: string }, id: string) => {
    const key = gen(name);
    const pub = pki(["--pub", "--in", key, "--type", t]);
    const crt = join(dir, `${name}.crt`);
    writeFileSync(crt, pki(["--issue", "--cacert", issuer.crt, "--cakey", issuer.key, "--dn", `O=skeyseed interop, CN=${id}`, "--san", id, "--flag", "serverAuth", "--lifetime", "30", "--outform", "pem"], pub));
    return { key, crt };
  };
  const root = ca("ca", `Interop ${CA_NAME[type]} CA`);
  const sun = leaf("sun", root, SUN_ID), ours = leaf("ours", root, OUR_ID);
  const stranger = ca("stranger-ca", "Stranger CA");
  const sunStranger = leaf("sun-stranger", stranger, SUN_ID);
  return { ca: root.crt, sunCert: sun.crt, sunKey: sun.key, ourCert: ours.crt, ourKey: ours.key, strangerCa: stranger.crt, strangerCert: sunStranger.crt, strangerKey: sunStranger.key };
}


interface CertLab {
  dir: string;
  pki: Pki;
  swanctl(args: string[], check?: boolean): Promise<{ code: number; stdout: string; stderr: string }>;
  listSas(): Promise<SwanSa[]>;
  charonLog(): string;
  startNodePeer(config: object): Proc;
}

/**
 * One case in a fresh lab: certificates made in a temporary folder, charon (sun) configured with
 * `vars` over them; on failure the capture, our key log and output and charon's log are saved.
 */
async function withCertLab(name: string, type: KeyType, vars: (p: Pki) => Record<string, string>, fn: (l: CertLab) => Promise<void>): Promise<void> {
  requireLab();
  const dir = tempDir();
  const pki = makePki(dir, type);
  const lab = await createLab({ name });
  let cap: any, ours: Proc | undefined, charon: any;
  try {
    const conf = lab.writeConfig("b", SCENARIO, { CONN: "live", CERT_FILE: pki.sunCert, KEY_FILE: pki.sunKey, CA_FILE: pki.ca, ...vars(pki) });
    cap = await lab.capture(lab.nsA, lab.ifA);
    charon = await lab.startCharon(lab.nsB, conf);
    const l: CertLab = {
      dir, pki,
      swanctl: (args, check = true) => lab.swanctl(charon, args, { check, timeoutMs: 30_000 }),
      listSas: async () => parseListSas((await lab.swanctl(charon, ["--list-sas"])).stdout),
      charonLog: () => (existsSync(charon.logFile) ? readFileSync(charon.logFile, "utf8") : ""),
      startNodePeer(config) {
        const file = join(dir, "node-peer.json");
        writeFileSync(file, JSON.stringify(config, null, 2));
        ours = new Proc("node node-peer", ["ip", ["netns", "exec", lab.nsA, "node", nodePeer(), file]], { stdin: true });
        return ours;
      },
    };
    // swanctl loads private keys only from its folders: private/ beside the rendered swanctl.conf.
    mkdirSync(join(conf, "private"), { recursive: true });
    copyFileSync(vars(pki).KEY_FILE ?? pki.sunKey, join(conf, "private", "sun.key"));
    const loaded = await run(["swanctl", "--load-all", "--file", join(conf, "swanctl.conf"), "--uri", charon.vici],
      { env: { STRONGSWAN_CONF: join(conf, "strongswan.conf"), SWANCTL_DIR: conf }, timeoutMs: 30_000 });
    assert.match(loaded.stdout, /loaded (RSA|ECDSA) key from/, `swanctl --load-all: ${loaded.stdout}`);
    await fn(l);
  } catch (e) {
    const out = join(OUT_DIR, name);
    try {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      if (ours) { ours.kill("SIGKILL"); await ours.exit(3000); writeFileSync(join(out, "ours.stdout.jsonl"), ours.stdout); writeFileSync(join(out, "ours.stderr.txt"), ours.stderr); }
      if (cap) copyFileSync(await cap.stop(), join(out, "capture.pcap"));
      for (const f of ["ikev2_decryption_table", "esp_sa"]) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(out, f));
      if (charon && existsSync(charon.logFile)) copyFileSync(charon.logFile, join(out, "charon.log"));
    } catch { /* the original error matters more */ }
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n(evidence saved in ${out})`);
  } finally {
    ours?.kill("SIGKILL");
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function peerConfig(l: CertLab, o: { initiator: boolean; signature?: "rfc7427" | "classic"; fragmentSize?: number; cacert?: string }): object {
  return {
    listen: OURS, port: 500, nattPort: 4500, keyLogDir: l.dir,
    endpoint: {
      keyLog: true, fragmentSize: o.fragmentSize ?? 1280,
      connections: [{
        name: "sun",
        local: { id: OUR_ID, address: OURS, cert: readFileSync(l.pki.ourCert, "utf8"), key: readFileSync(l.pki.ourKey, "utf8"), signature: o.signature ?? "rfc7427" },
        remote: { id: SUN_ID, ...(o.initiator ? { address: SUN } : {}), cacerts: readFileSync(o.cacert ?? l.pki.ca, "utf8") },
        ike: { proposals: "aes128gcm16-prfsha256-ecp256", rekeyTime: 0, dpdDelay: 0 },
        children: [{ name: "live", esp: "aes128gcm16", localTs: [OUR_TS], remoteTs: [SUN_TS], rekeyTime: 0 }],
      }],
    },
  };
}

async function nodeStatus(p: Proc): Promise<StatusSnapshot> {
  const mark = p.lines.length;
  p.send(JSON.stringify({ cmd: "status" }));
  return (await p.waitFor((x) => x.event === "status", 5000, "status", mark)).snapshot as StatusSnapshot;
}

async function nodeDo(p: Proc, cmd: object, event: string, ms = 10_000): Promise<Line> {
  const mark = p.lines.length;
  p.send(JSON.stringify(cmd));
  const done = await p.waitFor((x) => x.event === "command-done" || x.event === "command-failed", 5000, "command result", mark);
  assert.equal(done.event, "command-done", `${JSON.stringify(cmd)}: ${done.reason}`);
  return p.waitFor((x) => x.event === event, ms, `${event} after ${JSON.stringify(cmd)}`, mark);
}

/** Both sides hold the same established IKE SA and Child SA. */
async function assertSame(l: CertLab, p: Proc): Promise<void> {
  let last = "";
  await until(async () => {
    const snap = await nodeStatus(p);
    const sas = (await l.listSas()).filter((x) => x.state === "ESTABLISHED");
    last = JSON.stringify({ ours: snap.ikeSas, theirs: sas.map((s) => s.text) });
    if (snap.ikeSas.length !== 1 || sas.length !== 1) return undefined;
    const [o, t] = [snap.ikeSas[0], sas[0]];
    const tc = t.children.filter((c) => c.state === "INSTALLED");
    if (o.spiI !== t.spiI || o.spiR !== t.spiR || o.children.length !== 1 || tc.length !== 1) return undefined;
    if (tc[0].spiIn !== o.children[0].spiOut || tc[0].spiOut !== o.children[0].spiIn) return undefined;
    assert.match(t.text, new RegExp(`remote '${OUR_ID}' @ ${OURS.replace(/\./g, "\\.")}`));
    assert.equal(o.remoteId, SUN_ID);
    return true;
  }, 15_000, "our status and swanctl --list-sas to show the same IKE SA and Child SA").catch((e) => { throw new Error(`${e.message}\n${last}`); });
}

const CASES: { type: KeyType; initiator: boolean; signature: "rfc7427" | "classic"; fragment: boolean }[] = [
  { type: "rsa", initiator: true, signature: "rfc7427", fragment: true },
  { type: "rsa", initiator: false, signature: "rfc7427", fragment: true },
  { type: "rsa", initiator: true, signature: "classic", fragment: false },
  { type: "p256", initiator: true, signature: "classic", fragment: false },
  { type: "p256", initiator: false, signature: "classic", fragment: false },
  { type: "p384", initiator: true, signature: "rfc7427", fragment: false },
  { type: "p384", initiator: false, signature: "classic", fragment: false },
];
const CLASSIC = { rsa: 1, p256: 9, p384: 10 } as const;
const KEY_NAME = { rsa: "RSA-2048", p256: "ECDSA P-256", p384: "ECDSA P-384" } as const;

for (const c of CASES) {
  const what = `${KEY_NAME[c.type]}, Node library ${c.initiator ? "initiates" : "responds"}, we sign with ${c.signature === "classic" ? `classic method ${CLASSIC[c.type]}` : "RFC 7427 (14)"}${c.fragment ? ", IKE_AUTH fragmented both ways" : ""}`;
  test(`strongSwan interop, certificates: ${what}`, async () => {
    // Fragments of 576 bytes: an IKE_AUTH with an RSA certificate needs several.
    const frag = c.fragment ? 576 : 1280;
    await withCertLab(`certs-${c.type}-${c.initiator ? "initiator" : "responder"}`, c.type, () => ({ FRAGMENT_SIZE: String(frag) }), async (l) => {
      const p = l.startNodePeer(peerConfig(l, { initiator: c.initiator, signature: c.signature, fragmentSize: frag }));
      await p.waitFor((x) => x.event === "listening", 10_000, "listening");
      if (c.initiator) await nodeDo(p, { cmd: "initiate", conn: "sun" }, "child-up", 15_000);
      else {
        const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], false);
        assert.equal(init.code, 0, `swanctl --initiate: ${init.stdout}\n${init.stderr}`);
        await p.waitFor((x) => x.event === "child-up", 5000, "child-up");
      }
      await assertSame(l, p);
      const log = l.charonLog();
      // strongSwan accepted our chain and signature...
      assert.match(log, /received end entity cert "O=skeyseed interop, CN=skeyseed\.example"/);
      assert.match(log, /authentication of 'skeyseed\.example' with .* successful/);
      // ...and we accepted its, up to the CA we trust.
      const accepted = p.lines.find((x) => x.event === "peer-authenticated");
      if (!accepted) throw new Error("no peer-authenticated line");
      assert.match(String(accepted.reason), new RegExp(`by O=skeyseed interop, CN=${SUN_ID.replace(/\./g, "\\.")}, chain .* <- O=skeyseed interop, CN=Interop ${CA_NAME[c.type]} CA$`));
      // strongSwan signs under RFC 7427 since we announced SIGNATURE_HASH_ALGORITHMS.
      assert.match(String(accepted.reason), /Digital Signature \(14, RFC 7427\)/);
      const ourMethod = p.lines.find((x) => x.event === "auth-signature")?.method;
      assert.equal(ourMethod, c.signature === "classic" ? CLASSIC[c.type] : 14);
      // strongSwan asked for certificates from its CA (CERTREQ) and we honoured it.
      assert.match(log, /(sending|received) cert request for "O=skeyseed interop, CN=Interop/);
      if (c.fragment) {
        assert.match(log, /received fragment #1 of \d+, waiting for complete IKE message|reassembled fragmented IKE message/, "charon reassembled our IKE_AUTH fragments");
        assert.match(log, /splitting IKE message .* into \d+ fragments/, "charon fragmented its IKE_AUTH");
      }
      assert.equal(p.lines.filter((x) => x.level === "error").length, 0, "no error lines");
      const down = await nodeDo(p, { cmd: "deleteIke" }, "ike-down");
      assert.equal(down.byPeer, false);
      await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
    });
  }, ONLY_NODE);
}

test("strongSwan interop, certificates: a certificate from a CA we do not trust is refused both ways with AUTHENTICATION_FAILED, nothing kept", async () => {
  // strongSwan (responding) presents a certificate from a stranger CA: we refuse it.
  await withCertLab("certs-untrusted-sun", "p256", (p) => ({ CERT_FILE: p.strangerCert, KEY_FILE: p.strangerKey }), async (l) => {
    const p = l.startNodePeer(peerConfig(l, { initiator: true }));
    await p.waitFor((x) => x.event === "listening", 10_000, "listening");
    await nodeDo(p, { cmd: "initiate", conn: "sun" }, "auth-failed", 15_000);
    const failed = p.lines.find((x) => x.event === "auth-failed")!;
    assert.equal(failed.rejectedBy, "us");
    assert.match(String(failed.reason), /certificate refused: unknown issuer of O=skeyseed interop, CN=sun\.example: O=skeyseed interop, CN=Stranger CA/);
    assert.equal((await nodeStatus(p)).ikeSas.length, 0);
    // §2.21.2: our INFORMATIONAL with AUTHENTICATION_FAILED ends strongSwan's side.
    await until(() => (/parsed INFORMATIONAL request \d+ \[ N\(AUTH_FAILED\) \][\s\S]*deleting IKE_SA live/.test(l.charonLog()) ? true : undefined), 5000, "charon to hear AUTHENTICATION_FAILED");
    await until(async () => ((await l.listSas()).length === 0 ? true : undefined), 5000, "swanctl --list-sas to be empty");
  });
  // We trust only the stranger CA: strongSwan's initiation is refused by us as responder.
  await withCertLab("certs-untrusted-ours", "p256", () => ({}), async (l) => {
    const p = l.startNodePeer(peerConfig(l, { initiator: false, cacert: l.pki.strangerCa }));
    await p.waitFor((x) => x.event === "listening", 10_000, "listening");
    const init = await l.swanctl(["--initiate", "--child", "live", "--timeout", "20"], false);
    assert.notEqual(init.code, 0, "swanctl --initiate must fail");
    const failed = await p.waitFor((x) => x.event === "auth-failed", 5000, "auth-failed");
    assert.equal(failed.rejectedBy, "us");
    assert.match(String(failed.reason), /certificate refused: unknown issuer of O=skeyseed interop, CN=sun\.example: O=skeyseed interop, CN=Interop ECDSA CA/);
    assert.match(l.charonLog(), /received AUTHENTICATION_FAILED notify error/);
    assert.equal((await nodeStatus(p)).ikeSas.length, 0);
    assert.deepEqual(await l.listSas(), []);
  });
}, { ...ONLY_NODE, timeoutMs: 90_000 });
