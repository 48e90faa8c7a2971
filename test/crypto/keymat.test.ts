// ts/crypto/keymat.ts against strongSwan 5.9.8: every SKEYSEED, SK_*, rekeyed IKE SA and Child SA KEYMAT
// the daemons logged (test/fixtures/strongswan/*/keys.json) is derived again from the logged g^ir, the
// nonces and the SPIs (RFC 7296 §2.14, §2.17, §2.18), through every provider; the PSK AUTH payloads of
// the recorded IKE_AUTH exchanges are recomputed from the datagrams as sent (§2.15).
import assert from "node:assert/strict";
import { hex, test, toHex } from "../lib/harness.ts";
import { CryptoError, PRF, type CryptoProvider, type Prf } from "../../ts/crypto/index.ts";
import {
  deriveChildKeys, deriveIkeKeys, deriveRekeyedIkeKeys, KEY_PAD, pskAuth, resolveIkeSuite, signedOctets,
} from "../../ts/crypto/keymat.ts";
import { providers } from "./providers-lib.ts";
import {
  bytesOf, childTransforms, completeMessages, firstInnerOf, fixtures, ikeIds, plaintextOf, SCENARIOS, suiteOf, utf8,
  walkChain, type Fixture, type IkeSaKeys,
} from "./strongswan-keys.ts";

const PROVIDERS = ["wasm", "wasm-scalar", "native", "js"] as const;
let subjects: ReturnType<typeof providers> | undefined;
function provider(label: string): CryptoProvider {
  subjects ??= providers();
  const s = subjects.find((x) => x.label === label);
  if (!s) throw new Error(`providers-lib has no provider labelled ${label} (has ${subjects.map((x) => x.label).join(", ")})`);
  return s.p;
}
const fixture = (name: string): Fixture => fixtures().find((f) => f.name === name)!;

const P_IDI = 35, P_IDR = 36, P_AUTH = 39, P_NONCE = 40, AUTH_SHARED_KEY_MIC = 2;

function assertKeys(where: string, got: Record<string, Uint8Array>, sa: IkeSaKeys): void {
  assert.equal(toHex(got.skeyseed), sa.SKEYSEED, `${where}: SKEYSEED`);
  const names: [string, string][] = [["sk_d", "SK_d"], ["sk_ai", "SK_ai"], ["sk_ar", "SK_ar"], ["sk_ei", "SK_ei"], ["sk_er", "SK_er"], ["sk_pi", "SK_pi"], ["sk_pr", "SK_pr"]];
  for (const [ours, theirs] of names) {
    const logged = (sa as unknown as Record<string, string | null>)[theirs];
    // strongSwan logs no SK_a with AES-GCM (RFC 5282: no integrity transform); ours are empty then.
    assert.equal(toHex(got[ours]), logged ?? "", `${where}: ${theirs}`);
  }
}

/** The Nonce payload data of an unencrypted IKE_SA_INIT message, found by walking its chain. */
function nonceOf(bytes: Uint8Array): Uint8Array {
  const n = walkChain(bytes[16], bytes.subarray(28)).find((p) => p.type === P_NONCE);
  if (!n) throw new Error("IKE_SA_INIT message without a Nonce payload");
  return n.body;
}

for (const name of SCENARIOS) {
  for (const label of PROVIDERS) {
    test(`keymat ${name} [${label}]: SKEYSEED and SK_* of every IKE SA equal strongSwan's (RFC 7296 §2.14, §2.18)`, () => {
      const f = fixture(name), p = provider(label);
      let initial = 0, rekeyed = 0;
      for (const sa of f.ikeSas) {
        const suite = suiteOf(p, sa.algorithms);
        const args = [hex(sa["g^ir"]), hex(sa.Ni), hex(sa.Nr), hex(sa.SPIi), hex(sa.SPIr)] as const;
        if (sa.rekeyOf) {
          const oldSa = f.ikeSas.find((s) => s.SPIi === sa.rekeyOf!.SPIi && s.SPIr === sa.rekeyOf!.SPIr)!;
          assert.equal(sa["SK_d(old)"], oldSa.SK_d, "the logged old SK_d is the old IKE SA's");
          const oldPrf = p.prf(ikeIds(oldSa.algorithms, sa["prf(old)"]).prf);
          const keys = deriveRekeyedIkeKeys(oldPrf, hex(oldSa.SK_d), suite, ...args);
          assertKeys(`${name} rekeyed IKE SA ${sa.SPIi}`, keys as unknown as Record<string, Uint8Array>, sa);
          rekeyed++;
        } else {
          const [gir, ni, nr, spiI, spiR] = args;
          const keys = deriveIkeKeys(suite, ni, nr, gir, spiI, spiR);
          assertKeys(`${name} IKE SA ${sa.SPIi}`, keys as unknown as Record<string, Uint8Array>, sa);
          initial++;
        }
      }
      assert.equal(initial, 1);
      assert.equal(rekeyed, 1, "each scenario rekeys its IKE SA once");
    });

    test(`keymat ${name} [${label}]: Child SA KEYMAT, with and without PFS, equals strongSwan's (RFC 7296 §2.17)`, () => {
      const f = fixture(name), p = provider(label);
      let count = 0;
      for (const sa of f.ikeSas) {
        const prf = p.prf(ikeIds(sa.algorithms).prf);
        for (const c of sa.childSas) {
          const { encr, integ } = childTransforms(p, c.algorithms);
          const gir = c["g^ir"] === null ? undefined : hex(c["g^ir"]);
          const k = deriveChildKeys(prf, hex(sa.SK_d), encr, integ, hex(c.Ni), hex(c.Nr), gir);
          const where = `${name} Child SA ${c.SPIi}/${c.SPIr} (${gir ? "PFS" : "no PFS"})`;
          assert.equal(toHex(k.encrI) + toHex(k.integI) + toHex(k.encrR) + toHex(k.integR), c.KEYMAT, `${where}: KEYMAT`);
          assert.equal(toHex(k.encrI), c.initiatorToResponder.encrKey, `${where}: encryption key i->r`);
          assert.equal(toHex(k.encrR), c.responderToInitiator.encrKey, `${where}: encryption key r->i`);
          assert.equal(toHex(k.integI), c.initiatorToResponder.integKey ?? "", `${where}: integrity key i->r`);
          assert.equal(toHex(k.integR), c.responderToInitiator.integKey ?? "", `${where}: integrity key r->i`);
          count++;
        }
      }
      assert.equal(count, 2, "the IKE_AUTH Child SA and its rekeyed successor");
      if (name === "cbc-x25519") assert.ok(f.ikeSas.flatMap((s) => s.childSas).every((c) => c["g^ir"] === null), "cbc-x25519 rekeys without PFS");
      else assert.ok(f.ikeSas.flatMap((s) => s.childSas).some((c) => c["g^ir"] !== null), `${name} rekeys with PFS`);
    });

    test(`keymat ${name} [${label}]: the recorded PSK AUTH payloads are recomputed byte for byte; a wrong PSK does not match (§2.15)`, () => {
      const f = fixture(name), p = provider(label);
      const psk = utf8(f.scenario.psk);
      const init = f.messages.filter((m) => m.exchange === "IKE_SA_INIT");
      assert.equal(init.length, 2);
      const realMessage1 = bytesOf(init.find((m) => !m.response)!), realMessage2 = bytesOf(init.find((m) => m.response)!);
      const sa = f.ikeSas.find((s) => !s.rekeyOf)!;
      // The logged nonces are the ones on the wire.
      assert.equal(toHex(nonceOf(realMessage1)), sa.Ni);
      assert.equal(toHex(nonceOf(realMessage2)), sa.Nr);
      const prf = p.prf(ikeIds(sa.algorithms).prf);
      const auths = completeMessages(f).filter((m) => m.exchange === "IKE_AUTH");
      assert.equal(auths.length, 2);
      for (const m of auths) {
        const chain = walkChain(firstInnerOf(f, m), plaintextOf(f, m)!);
        const id = chain.find((x) => x.type === (m.response ? P_IDR : P_IDI))!;
        const auth = chain.find((x) => x.type === P_AUTH)!;
        assert.equal(auth.body[0], AUTH_SHARED_KEY_MIC, "Auth Method: Shared Key Message Integrity Code");
        const recorded = auth.body.subarray(4);
        // InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload); the responder's mirror it.
        const octets = m.response
          ? signedOctets(prf, realMessage2, hex(sa.Ni), hex(sa.SK_pr), id.body)
          : signedOctets(prf, realMessage1, hex(sa.Nr), hex(sa.SK_pi), id.body);
        assert.equal(toHex(pskAuth(prf, psk, octets)), toHex(recorded), `${name}: AUTH of the IKE_AUTH ${m.response ? "response" : "request"}`);
        assert.notEqual(toHex(pskAuth(prf, utf8(f.scenario.psk + "x"), octets)), toHex(recorded), "a wrong PSK gives another AUTH");
        // The wrong side's SK_p does not verify either (each side MACs its own ID with its own key).
        const swapped = m.response
          ? signedOctets(prf, realMessage2, hex(sa.Ni), hex(sa.SK_pi), id.body)
          : signedOctets(prf, realMessage1, hex(sa.Nr), hex(sa.SK_pr), id.body);
        assert.notEqual(toHex(pskAuth(prf, psk, swapped)), toHex(recorded));
      }
    });
  }
}

test("keymat: KEY_PAD is the 17 octets \"Key Pad for IKEv2\" without a terminator (§2.15)", () => {
  assert.equal(new TextDecoder().decode(KEY_PAD), "Key Pad for IKEv2");
  assert.equal(KEY_PAD.length, 17);
});

test("keymat: signedOctets is RealMessage | peer nonce | prf(SK_p, RestOfIDPayload)", () => {
  const p = provider("native");
  const prf = p.prf(PRF.PRF_HMAC_SHA2_256);
  const msg = hex("0102030405"), nonce = hex("aabbcc"), skp = hex("11".repeat(32)), id = hex("02000000");
  const out = signedOctets(prf, msg, nonce, skp, id);
  assert.equal(toHex(out), "0102030405" + "aabbcc" + toHex(prf.withKey(skp).compute(id)));
});

for (const label of PROVIDERS) {
  test(`keymat [${label}]: PRF_AES128_XCBC and PRF_AES128_CMAC give an UNSUPPORTED CryptoError naming §2.14`, () => {
    const p = provider(label);
    for (const [id, name] of [[PRF.PRF_AES128_XCBC, "PRF_AES128_XCBC"], [PRF.PRF_AES128_CMAC, "PRF_AES128_CMAC"]] as const) {
      let err: unknown;
      try { resolveIkeSuite(p, { encr: 20, encrKeyBits: 128, prf: id }); } catch (e) { err = e; }
      assert.ok(err instanceof CryptoError, `expected a CryptoError for ${name}, got ${String(err)}`);
      assert.equal(err.code, "UNSUPPORTED");
      assert.equal(err.fn, "keymat.resolveIkeSuite");
      assert.match(err.message, new RegExp(`${name}.*§2\\.14`));
    }
    // A provider that did implement the PRF still meets the same refusal in the derivations themselves.
    const fake = (id: number, name: string): Prf => ({ ...p.prf(PRF.PRF_HMAC_SHA2_256), id, name });
    const suite = { ...resolveIkeSuite(p, { encr: 20, encrKeyBits: 128, prf: PRF.PRF_HMAC_SHA2_256 }), prf: fake(PRF.PRF_AES128_XCBC, "PRF_AES128_XCBC") };
    const z8 = new Uint8Array(8), z16 = new Uint8Array(16), z32 = new Uint8Array(32);
    for (const f of [
      () => deriveIkeKeys(suite, z16, z16, z32, z8, z8),
      () => deriveRekeyedIkeKeys(p.prf(PRF.PRF_HMAC_SHA2_256), z32, suite, z32, z16, z16, z8, z8),
    ]) {
      assert.throws(f, (e: unknown) => e instanceof CryptoError && e.code === "UNSUPPORTED" && /PRF_AES128_XCBC \(4\).*§2\.14/.test(e.message));
    }
  });
}

test("keymat: SPIs that are not 8 bytes are refused (§3.1)", () => {
  const p = provider("native");
  const suite = resolveIkeSuite(p, { encr: 12, encrKeyBits: 128, prf: PRF.PRF_HMAC_SHA2_256, integ: 12 });
  const n = new Uint8Array(16), g = new Uint8Array(32);
  assert.throws(() => deriveIkeKeys(suite, n, n, g, new Uint8Array(4), new Uint8Array(8)), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_ARGUMENT");
  assert.throws(() => deriveRekeyedIkeKeys(suite.prf, g, suite, g, n, n, new Uint8Array(8), new Uint8Array(0)), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_ARGUMENT");
});

test("keymat: resolveIkeSuite refuses an integrity transform with AES-GCM and none with AES-CBC (RFC 5282 §8)", () => {
  const p = provider("native");
  assert.throws(() => resolveIkeSuite(p, { encr: 20, encrKeyBits: 128, prf: 5, integ: 12 }), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_ARGUMENT");
  assert.throws(() => resolveIkeSuite(p, { encr: 12, encrKeyBits: 128, prf: 5 }), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_ARGUMENT");
  assert.equal(resolveIkeSuite(p, { encr: 20, encrKeyBits: 256, prf: 7, integ: 0 }).integ, undefined);
});

test("keymat: key lengths follow the suite: AES-GCM SK_e carries the 4-byte salt, HMAC PRF keys are the PRF output length", () => {
  const p = provider("native");
  const n = new Uint8Array(32).fill(1), g = new Uint8Array(32).fill(2), spi = new Uint8Array(8).fill(3);
  const gcm = deriveIkeKeys(resolveIkeSuite(p, { encr: 20, encrKeyBits: 256, prf: 7 }), n, n, g, spi, spi);
  assert.deepEqual([gcm.sk_d.length, gcm.sk_ai.length, gcm.sk_ei.length, gcm.sk_pi.length], [64, 0, 36, 64]);
  const cbc = deriveIkeKeys(resolveIkeSuite(p, { encr: 12, encrKeyBits: 192, prf: 2, integ: 13 }), n, n, g, spi, spi);
  assert.deepEqual([cbc.sk_d.length, cbc.sk_ai.length, cbc.sk_ar.length, cbc.sk_ei.length, cbc.sk_pr.length], [20, 48, 48, 24, 20]);
  // The SK_* are consecutive slices of one prf+ stream (§2.14): SK_ei follows SK_ar.
  const suite = resolveIkeSuite(p, { encr: 12, encrKeyBits: 192, prf: 2, integ: 13 });
  const stream = suite.prf.prfPlus(cbc.skeyseed, new Uint8Array([...n, ...n, ...spi, ...spi]), 20 + 96 + 48 + 40);
  assert.equal(toHex(stream), [cbc.sk_d, cbc.sk_ai, cbc.sk_ar, cbc.sk_ei, cbc.sk_er, cbc.sk_pi, cbc.sk_pr].map(toHex).join(""));
});

test("keymat: an IKE SA rekey that changes the PRF keys SKEYSEED with the old PRF and prf+ with the new one (§2.18)", async () => {
  // RFC 7296 §2.18: "it is the old IKE SA's PRF that is used to generate SKEYSEED", and the SK_* are computed
  // "as specified in Section 2.14 ... using the new IKE SA's PRF". (strongSwan keeps the old PRF for prf+ too;
  // the recorded fixtures never change the PRF, so they cannot tell the two apart.)
  const { createHmac } = await import("node:crypto");
  const hmac = (alg: string, key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac(alg, key).update(data).digest());
  const p = provider("native");
  const oldSkD = hex("0f".repeat(20)), g = hex("aa".repeat(32)), ni = hex("01".repeat(32)), nr = hex("02".repeat(32));
  const spiI = hex("1111111111111111"), spiR = hex("2222222222222222");
  const suite = resolveIkeSuite(p, { encr: 12, encrKeyBits: 128, prf: PRF.PRF_HMAC_SHA2_256, integ: 12 });
  const k = deriveRekeyedIkeKeys(p.prf(PRF.PRF_HMAC_SHA1), oldSkD, suite, g, ni, nr, spiI, spiR);
  const skeyseed = hmac("sha1", oldSkD, new Uint8Array([...g, ...ni, ...nr]));
  assert.equal(toHex(k.skeyseed), toHex(skeyseed));
  const seed = new Uint8Array([...ni, ...nr, ...spiI, ...spiR]);
  let t = new Uint8Array(0), stream = "";
  for (let n = 1; stream.length < 2 * (32 + 64 + 32 + 64); n++) { t = hmac("sha256", skeyseed, new Uint8Array([...t, ...seed, n])); stream += toHex(t); }
  const want = stream.slice(0, 2 * (32 + 32 + 32 + 16 + 16 + 32 + 32));
  assert.equal([k.sk_d, k.sk_ai, k.sk_ar, k.sk_ei, k.sk_er, k.sk_pi, k.sk_pr].map(toHex).join(""), want);
  assert.equal(k.sk_d.length, 32, "SK_d has the new PRF's key length");
});
