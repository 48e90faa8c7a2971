// The `wasm` provider (the default): SHA/HMAC/prf+, AES-CBC/GCM and Montgomery modexp kernels from
// core-wasm/, through their wrappers in this folder. ECP and Curve25519/448 groups come from
// @noble/curves (ts/crypto/groups/ecp.ts): there is no curve kernel. `variant` picks the AES and
// modexp builds (SIMD or scalar); the SHA kernel always runs its scalar build.
import { Hmac, hash as shaHash, prfPlusInto } from "./sha.ts";
import { createAes } from "./aes.ts";
import { MontgomeryContext, modexp as wasmModexp, montgomeryContextFor } from "./modexp.ts";
import type { WasmVariant } from "./load.ts";
import type { CryptoProvider, HashAlg, KeGroup, ProviderOptions } from "../types.ts";
import { buildProvider, type Primitives, type RawCbc, type RawGcm, type RawMac } from "../transforms.ts";
import { CURVE_GROUP_IDS, createCurveGroup } from "../groups/ecp.ts";
import { createModpGroup, modpGroupIds, powEngine, type ModpEngine, type ModpGroupSpec } from "../groups/modp.ts";

export interface WasmProviderOptions extends ProviderOptions {
  /** Which AES and modexp builds: the SIMD ones when this engine validates them ("auto"), or force one. */
  variant?: WasmVariant;
}

function hmacPrim(alg: HashAlg, key: Uint8Array): RawMac {
  const h = new Hmac(alg, key);
  return {
    macInto: (data, out, off, n) => h.macInto(data, out, off, n),
    verify: (data, icv) => h.verify(data, icv),
    dispose: () => h.dispose(),
  };
}

/** The MontgomeryContext class of a modexp build ("auto" is the module's default kernel), made once. */
const ctxClasses = new Map<WasmVariant, typeof MontgomeryContext>([["auto", MontgomeryContext]]);
function contextClass(variant: WasmVariant): typeof MontgomeryContext {
  let c = ctxClasses.get(variant);
  if (!c) {
    c = montgomeryContextFor(variant as "scalar" | "simd");
    ctxClasses.set(variant, c);
  }
  return c;
}

/** One Montgomery context per (build, MODP prime) per process: its precomputation is done once. */
const montCache = new Map<string, MontgomeryContext>();

function montEngine(variant: WasmVariant): (spec: ModpGroupSpec) => ModpEngine {
  return (spec) => {
    const key = `${variant}/${spec.id}`;
    let ctx = montCache.get(key);
    if (!ctx) {
      ctx = new (contextClass(variant))(spec.prime);
      montCache.set(key, ctx);
    }
    const c = ctx;
    return powEngine(spec, (b, e) => c.pow(b, e));
  };
}

/** The WebAssembly provider. */
export function createWasmProvider(opts: WasmProviderOptions): CryptoProvider {
  const random = opts?.random;
  const variant: WasmVariant = opts?.variant ?? "auto";
  const { AesCbc, AesGcm } = createAes(variant);
  const prims: Primitives = {
    name: "wasm",
    hash: (alg, data) => shaHash(alg, data),
    hmac: hmacPrim,
    prfPlusInto: (alg, key, seed, out, off, length) => prfPlusInto(alg, key, seed, out, off, length),
    cbc(key): RawCbc {
      const c = new AesCbc(key);
      return {
        encryptInto: (iv, pt, out, off) => c.encryptInto(iv, pt, out, off),
        decryptInto: (iv, ct, out, off) => c.decryptInto(iv, ct, out, off),
        dispose: () => c.dispose(),
      };
    },
    gcm(key, tagLen): RawGcm {
      const g = new AesGcm(key);
      return {
        sealInto: (nonce, aad, pt, out, off) => g.sealInto(nonce, aad, pt, tagLen, out, off),
        openInto: (nonce, aad, ctTag, out, off) => g.openInto(nonce, aad, ctTag, tagLen, out, off),
        dispose: () => g.dispose(),
      };
    },
    modexp(base, exp, mod) {
      if (variant === "auto") return wasmModexp(base, exp, mod); // caches a context per modulus
      const c = new (contextClass(variant))(mod);
      try {
        return c.pow(base, exp);
      } finally {
        c.dispose();
      }
    },
    keIds: [...modpGroupIds(), ...CURVE_GROUP_IDS],
    ke(id: number): KeGroup | undefined {
      return createCurveGroup(id, random) ?? createModpGroup(id, montEngine(variant), random);
    },
  };
  return buildProvider(prims, opts);
}
