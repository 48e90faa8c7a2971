// The `js` provider: a pure-JavaScript reference on @noble/hashes, @noble/ciphers and BigInt, for
// cross-checking the wasm and native providers and for hosts with neither. It makes no constant-time
// claim beyond noble's own (algorithmic, not guaranteed by JS engines); BigInt MODP is not constant time.
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { equalBytes, wipe } from "../errors.ts";
import type { CryptoProvider, HashAlg, KeGroup, ProviderOptions } from "../types.ts";
import { buildProvider, HASH_LEN, type Primitives, type RawCbc, type RawGcm, type RawMac } from "../transforms.ts";
import { CURVE_GROUP_IDS, createCurveGroup } from "../groups/ecp.ts";
import { createModpGroup, modexpBigInt, modpGroupIds, powEngine } from "../groups/modp.ts";

const HASHES = { sha1, sha256, sha384, sha512 } as const;

function hmacPrim(alg: HashAlg, key: Uint8Array): RawMac {
  // noble's HMAC object holds the inner and outer states after the key blocks; each MAC clones them.
  let base: ReturnType<typeof hmac.create> | null = hmac.create(HASHES[alg], key);
  const full = new Uint8Array(HASH_LEN[alg]);
  return {
    macInto(data, out, off, n) {
      const h = base!.clone();
      h.update(data);
      if (n === full.length) {
        h.digestInto(out.subarray(off, off + n));
      } else {
        h.digestInto(full);
        out.set(full.subarray(0, n), off);
        wipe(full);
      }
      h.destroy();
    },
    dispose() { base?.destroy(); base = null; wipe(full); },
  };
}

/** AES-CBC on noble, no padding. Also the native provider's fallback where node:crypto lacks a key size. @internal */
export function cbcPrim(key: Uint8Array): RawCbc {
  const k = key.slice(); // noble expands the key per call; keep a private copy, wiped on dispose
  const opts = { disablePadding: true };
  return {
    encryptInto(iv, pt, out, off) { out.set(cbc(k, iv, opts).encrypt(pt), off); },
    decryptInto(iv, ct, out, off) {
      const pt = cbc(k, iv, opts).decrypt(ct);
      out.set(pt, off);
      wipe(pt);
    },
    dispose() { wipe(k); },
  };
}

/** GCM counter block J0 + 1 for a 12-byte nonce (NIST SP 800-38D §7.1): nonce || 00000002. */
function ctrStart(nonce: Uint8Array): Uint8Array {
  const b = new Uint8Array(16);
  b.set(nonce);
  b[15] = 2;
  return b;
}

/** AES-GCM on noble with an 8/12/16-byte ICV. Also the native provider's fallback. @internal */
export function gcmPrim(key: Uint8Array, tagLen: 8 | 12 | 16): RawGcm {
  const k = key.slice();
  return {
    sealInto(nonce, aad, pt, out, off) {
      const ctTag = gcm(k, nonce, aad).encrypt(pt); // ct || 16-byte tag
      out.set(ctTag.subarray(0, pt.length + tagLen), off);
    },
    openInto(nonce, aad, ctTag, out, off) {
      const ctLen = ctTag.length - tagLen;
      if (tagLen === 16) {
        let pt: Uint8Array;
        try {
          pt = gcm(k, nonce, aad).decrypt(ctTag);
        } catch {
          return false;
        }
        out.set(pt, off);
        wipe(pt);
        return true;
      }
      // noble's GCM has a fixed 16-byte tag. For the truncated ICVs of RFC 4106 §8: decrypt with the
      // GCM counter stream, re-seal to get the full tag, compare its first tagLen bytes (no early exit).
      const pt = ctr(k, ctrStart(nonce)).decrypt(ctTag.subarray(0, ctLen));
      const resealed = gcm(k, nonce, aad).encrypt(pt);
      const ok = equalBytes(resealed.subarray(ctLen, ctLen + tagLen), ctTag.subarray(ctLen));
      if (ok) out.set(pt, off);
      wipe(pt, resealed);
      return ok;
    },
    dispose() { wipe(k); },
  };
}

/** The pure-JS reference provider. */
export function createJsProvider(opts: ProviderOptions): CryptoProvider {
  const random = opts?.random;
  const prims: Primitives = {
    name: "js",
    hash: (alg, data) => HASHES[alg](data),
    hmac: hmacPrim,
    cbc: cbcPrim,
    gcm: gcmPrim,
    modexp: modexpBigInt,
    keIds: [...modpGroupIds(), ...CURVE_GROUP_IDS],
    ke(id: number): KeGroup | undefined {
      return createCurveGroup(id, random) ??
        createModpGroup(id, (spec) => powEngine(spec, (b, e) => modexpBigInt(b, e, spec.prime)), random);
    },
  };
  return buildProvider(prims, opts);
}
