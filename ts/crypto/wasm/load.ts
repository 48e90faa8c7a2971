// Synchronous instantiation of the embedded kernels (ts/crypto/wasm/gen/*.gen.ts).
// Every runtime loads them the same way: no fs, no fetch, no streaming compile.
// A SIMD variant, where a kernel has one, is used when this engine validates it.

export interface EmbeddedModule {
  readonly sourceHash: string;
  readonly scalar: string;
  readonly simd: string | null;
}

/** Which variant to load: the SIMD build when available and valid, or force one. */
export type WasmVariant = "auto" | "scalar" | "simd";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Decodes the base64 text of a generated module (newlines ignored). @internal */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw new Error("wasm load: invalid base64 in embedded module");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Returns true when this engine accepts the module's SIMD build. */
export function simdSupported(mod: EmbeddedModule): boolean {
  if (mod.simd === null) return false;
  try {
    return WebAssembly.validate(decodeBase64(mod.simd) as BufferSource);
  } catch {
    return false;
  }
}

export interface LoadedKernel<E> {
  readonly exports: E;
  readonly memory: WebAssembly.Memory;
  readonly variant: "scalar" | "simd";
}

/** Instantiates an embedded kernel synchronously. */
export function instantiate<E>(mod: EmbeddedModule, variant: WasmVariant = "auto"): LoadedKernel<E> {
  let useSimd: boolean;
  if (variant === "scalar") useSimd = false;
  else if (variant === "simd") {
    if (!simdSupported(mod)) throw new Error("wasm load: SIMD variant requested but unavailable");
    useSimd = true;
  } else useSimd = simdSupported(mod);
  const bytes = decodeBase64(useSimd ? mod.simd! : mod.scalar);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {});
  const exports = instance.exports as unknown as E & { memory: WebAssembly.Memory };
  return { exports, memory: exports.memory, variant: useSimd ? "simd" : "scalar" };
}
