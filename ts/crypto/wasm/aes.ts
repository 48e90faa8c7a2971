// AES-CBC (RFC 3602, whole blocks, no padding) and AES-GCM (NIST SP 800-38D with the IPsec nonce
// salt || iv of RFC 4106 / RFC 5282) on the core-wasm/aes.ts kernel: bitsliced AES and GHASH by
// multiplies with holes, constant time. Two builds: SIMD (8 blocks per pass) where the engine validates
// it, else scalar (4 blocks per pass); `createAes(variant)` binds the classes to one build explicitly.
//
// Messages of any length stream through the kernel's 64 KiB region in chunks; CBC chaining, the GCM
// counter and the GHASH state stay in the kernel between chunks. A message that fits the region
// (AAD and data together) is one kernel call. GCM open hashes the whole ciphertext and checks the tag
// (no early exit) before it decrypts anything, so a forgery releases no plaintext.
//
// Key hygiene: each key object keeps its expanded key (plane round keys, GHASH key table) in its own
// Uint8Array and puts it in the kernel when it is not already there; dispose() wipes both copies.
// After every call the wrapper zeroes the data region and the chaining value, and the kernel wipes
// its counters, keystream, accumulator and scratch. Values in wasm locals and JS registers cannot be wiped.
import * as embedded from "./gen/aes.gen.ts";
import { instantiate, simdSupported, type WasmVariant } from "./load.ts";
import { CryptoError, assertBytes, wipe } from "../errors.ts";

interface AesExports {
  bufPtr(): number;
  bufSize(): number;
  keyInPtr(): number;
  keyPtr(): number;
  keyStateSize(): number;
  ivPtr(): number;
  tagPtr(): number;
  expectPtr(): number;
  setKey(keyLen: number, withGhash: number): number;
  cbcEncrypt(len: number): void;
  cbcDecrypt(len: number): void;
  gcmStart(nonceLen: number): void;
  gcmAad(off: number, len: number): void;
  gcmEncrypt(off: number, len: number): void;
  gcmHashCiphertext(off: number, len: number): void;
  gcmCtr(off: number, len: number): void;
  gcmFinish(): void;
  gcmVerify(tagLen: number): number;
  gcmEnd(): void;
  gcmSeal(start: number, aadLen: number, off: number, len: number): void;
  gcmOpen(start: number, aadLen: number, off: number, len: number, tagLen: number): number;
}

/** One instantiated build of the kernel. @internal */
export interface AesKernel {
  readonly ex: AesExports;
  readonly mem: Uint8Array;
  readonly variant: "scalar" | "simd";
  readonly bufAt: number;
  readonly bufSize: number;
  readonly keyAt: number;
  readonly keySize: number;
  readonly keyInAt: number;
  readonly ivAt: number;
  readonly tagAt: number;
  readonly expectAt: number;
  /** The key object whose key state is in KEYS now. */
  owner: object | null;
}

const kernels: { scalar?: AesKernel; simd?: AesKernel } = {};

function load(variant: "scalar" | "simd"): AesKernel {
  const { exports: ex, memory } = instantiate<AesExports>(embedded, variant);
  // Static regions only and the stub runtime: memory never grows, so this view stays valid.
  return {
    ex, mem: new Uint8Array(memory.buffer), variant,
    bufAt: ex.bufPtr(), bufSize: ex.bufSize(),
    keyAt: ex.keyPtr(), keySize: ex.keyStateSize(), keyInAt: ex.keyInPtr(),
    ivAt: ex.ivPtr(), tagAt: ex.tagPtr(), expectAt: ex.expectPtr(),
    owner: null,
  };
}

/** The build "auto" picks: SIMD when this engine validates it. */
export const aesVariant: "scalar" | "simd" = simdSupported(embedded) ? "simd" : "scalar";

function kernel(variant: WasmVariant): AesKernel {
  const v = variant === "auto" ? aesVariant : variant;
  if (v === "simd" && !simdSupported(embedded)) throw new Error("wasm load: SIMD variant requested but unavailable");
  return kernels[v] ?? (kernels[v] = load(v));
}

const TAG_LENS = [8, 12, 16];
/** SP 800-38D §5.2.1.1: at most 2^39 - 256 bits of plaintext. */
const GCM_MAX_PLAINTEXT = 2 ** 36 - 32;

function checkKey(fn: string, key: unknown): asserts key is Uint8Array {
  assertBytes(fn, "key", key);
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CryptoError("INVALID_KEY_LENGTH", fn, `key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}

function checkOut(fn: string, out: unknown, offset: number, n: number): asserts out is Uint8Array {
  assertBytes(fn, "out", out);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new CryptoError("INVALID_OUTPUT", fn, `out needs ${n} bytes at offset ${offset} but has length ${out.length}`);
  }
}

function checkTagLen(fn: string, tagLen: unknown): asserts tagLen is 8 | 12 | 16 {
  if (!TAG_LENS.includes(tagLen as number)) {
    throw new CryptoError("INVALID_TAG_LENGTH", fn, `tag length must be 8, 12 or 16 bytes, got ${String(tagLen)}`);
  }
}

/** Expands `key` in the kernel and returns a copy of the key state; the kernel keeps it, owned by `owner`. */
function expand(kn: AesKernel, key: Uint8Array, withGhash: boolean, owner: object): Uint8Array {
  kn.mem.set(key, kn.keyInAt);
  kn.ex.setKey(key.length, withGhash ? 1 : 0);
  kn.owner = owner;
  return kn.mem.slice(kn.keyAt, kn.keyAt + kn.keySize);
}

/** Base of both modes: the key state copy and its kernel. */
abstract class KeyHolder {
  protected readonly kn: AesKernel;
  private state: Uint8Array | null;

  constructor(fn: string, key: Uint8Array, withGhash: boolean) {
    checkKey(fn, key);
    this.kn = this.kernel();
    this.state = expand(this.kn, key, withGhash, this);
  }

  /** Which kernel this class uses (overridden by the classes createAes returns). @internal */
  protected kernel(): AesKernel {
    return kernel("auto");
  }

  /** The kernel with this object's key loaded. */
  protected use(fn: string): AesKernel {
    const kn = this.kn;
    if (this.state === null) throw new CryptoError("INVALID_ARGUMENT", fn, "this key object was disposed");
    if (kn.owner !== this) {
      kn.mem.set(this.state, kn.keyAt);
      kn.owner = this;
    }
    return kn;
  }

  /** Wipes the key state here and in the kernel; the object cannot be used afterwards. */
  dispose(): void {
    wipe(this.state);
    this.state = null;
    if (this.kn.owner === this) {
      this.kn.mem.fill(0, this.kn.keyAt, this.kn.keyAt + this.kn.keySize);
      this.kn.owner = null;
    }
  }
}

/** AES-CBC with the key schedule made once (RFC 3602: whole 16-byte blocks, explicit IV, no padding). */
export class AesCbc extends KeyHolder {
  constructor(key: Uint8Array) {
    super("aes-cbc", key, false);
  }

  encrypt(iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext?.length ?? 0);
    this.run("aes-cbc.encrypt", true, iv, plaintext, out, 0);
    return out;
  }

  encryptInto(iv: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset = 0): void {
    this.run("aes-cbc.encryptInto", true, iv, plaintext, out, offset);
  }

  decrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const out = new Uint8Array(ciphertext?.length ?? 0);
    this.run("aes-cbc.decrypt", false, iv, ciphertext, out, 0);
    return out;
  }

  decryptInto(iv: Uint8Array, ciphertext: Uint8Array, out: Uint8Array, offset = 0): void {
    this.run("aes-cbc.decryptInto", false, iv, ciphertext, out, offset);
  }

  private run(fn: string, enc: boolean, iv: Uint8Array, data: Uint8Array, out: Uint8Array, offset: number): void {
    assertBytes(fn, "iv", iv);
    assertBytes(fn, enc ? "plaintext" : "ciphertext", data);
    if (iv.length !== 16) throw new CryptoError("INVALID_IV_LENGTH", fn, `iv must be 16 bytes, got ${iv.length}`);
    if (data.length % 16 !== 0) {
      throw new CryptoError("INVALID_INPUT_LENGTH", fn, `input must be whole 16-byte blocks (no padding here), got ${data.length} bytes`);
    }
    checkOut(fn, out, offset, data.length);
    const kn = this.use(fn);
    const { ex, mem, bufAt, bufSize, ivAt } = kn;
    mem.set(iv, ivAt);
    for (let o = 0; o < data.length; o += bufSize) {
      const n = Math.min(bufSize, data.length - o);
      mem.set(n === data.length ? data : data.subarray(o, o + n), bufAt);
      if (enc) ex.cbcEncrypt(n);
      else ex.cbcDecrypt(n);
      out.set(mem.subarray(bufAt, bufAt + n), offset + o);
    }
    mem.fill(0, bufAt, bufAt + Math.min(bufSize, data.length));
    mem.fill(0, ivAt, ivAt + 16);
  }
}

/**
 * AES-GCM with the key schedule and GHASH key made once. The nonce is normally 12 bytes (RFC 4106
 * §4: the 4-byte salt from the key material || the 8-byte IV from the packet); other lengths
 * (1 byte .. 64 KiB) take the GHASH-derived J0 of SP 800-38D §7.1.
 */
export class AesGcm extends KeyHolder {
  constructor(key: Uint8Array) {
    super("aes-gcm", key, true);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLen: 8 | 12 | 16): Uint8Array {
    checkTagLen("aes-gcm.seal", tagLen);
    const out = new Uint8Array((plaintext?.length ?? 0) + tagLen);
    this.sealChecked("aes-gcm.seal", nonce, aad, plaintext, tagLen, out, 0);
    return out;
  }

  /** Writes ciphertext || tag (plaintext.length + tagLen bytes) at out[offset..]. */
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLen: 8 | 12 | 16, out: Uint8Array, offset = 0): void {
    this.sealChecked("aes-gcm.sealInto", nonce, aad, plaintext, tagLen, out, offset);
  }

  /** The plaintext, or null when the tag does not verify (nothing is decrypted then). */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, tagLen: 8 | 12 | 16): Uint8Array | null {
    const fn = "aes-gcm.open";
    checkTagLen(fn, tagLen);
    assertBytes(fn, "ciphertext", ciphertextAndTag);
    if (ciphertextAndTag.length < tagLen) {
      throw new CryptoError("INVALID_INPUT_LENGTH", fn, `input must hold the ${tagLen}-byte tag, got ${ciphertextAndTag.length} bytes`);
    }
    const out = new Uint8Array(ciphertextAndTag.length - tagLen);
    return this.openChecked(fn, nonce, aad, ciphertextAndTag, tagLen, out, 0) ? out : null;
  }

  /** Writes the plaintext at out[offset..] and returns true, or returns false and writes nothing. */
  openInto(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, tagLen: 8 | 12 | 16, out: Uint8Array, offset = 0): boolean {
    const fn = "aes-gcm.openInto";
    checkTagLen(fn, tagLen);
    assertBytes(fn, "ciphertext", ciphertextAndTag);
    if (ciphertextAndTag.length < tagLen) {
      throw new CryptoError("INVALID_INPUT_LENGTH", fn, `input must hold the ${tagLen}-byte tag, got ${ciphertextAndTag.length} bytes`);
    }
    return this.openChecked(fn, nonce, aad, ciphertextAndTag, tagLen, out, offset);
  }

  /** Checks nonce and AAD, loads the key and starts the message unless the one-call path will. */
  private begin(fn: string, nonce: Uint8Array, aad: Uint8Array, dataLen: number, out: Uint8Array, offset: number): { kn: AesKernel; oneCall: boolean; dataAt: number } {
    assertBytes(fn, "nonce", nonce);
    assertBytes(fn, "aad", aad);
    checkOut(fn, out, offset, dataLen);
    if (nonce.length < 1 || nonce.length > this.kn.bufSize) {
      throw new CryptoError("INVALID_IV_LENGTH", fn, `nonce must be 12 bytes (salt || iv, RFC 4106 §4) or 1..${this.kn.bufSize}, got ${nonce.length}`);
    }
    const kn = this.use(fn);
    const dataAt = (aad.length + 15) & ~15;
    const oneCall = dataAt + dataLen <= kn.bufSize;
    if (nonce.length === 12) kn.mem.set(nonce, kn.ivAt);
    else {
      kn.mem.set(nonce, kn.bufAt);
      kn.ex.gcmStart(nonce.length);
    }
    if (!oneCall) {
      if (nonce.length === 12) kn.ex.gcmStart(12);
      streamAad(kn, aad);
    }
    return { kn, oneCall, dataAt };
  }

  private sealChecked(fn: string, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array, tagLen: number, out: Uint8Array, offset: number): void {
    checkTagLen(fn, tagLen);
    assertBytes(fn, "plaintext", pt);
    if (pt.length > GCM_MAX_PLAINTEXT) throw new CryptoError("INVALID_INPUT_LENGTH", fn, "plaintext longer than 2^36 - 32 bytes (SP 800-38D §5.2.1.1)");
    checkOut(fn, out, offset, pt.length + tagLen);
    const { kn, oneCall, dataAt } = this.begin(fn, nonce, aad, pt.length, out, offset);
    const { ex, mem, bufAt, bufSize, tagAt } = kn;
    if (oneCall) {
      mem.set(aad, bufAt);
      mem.set(pt, bufAt + dataAt);
      ex.gcmSeal(nonce.length === 12 ? 1 : 0, aad.length, dataAt, pt.length);
      out.set(mem.subarray(bufAt + dataAt, bufAt + dataAt + pt.length), offset);
      mem.fill(0, bufAt, bufAt + dataAt + pt.length);
    } else {
      for (let o = 0; o < pt.length; o += bufSize) {
        const n = Math.min(bufSize, pt.length - o);
        mem.set(pt.subarray(o, o + n), bufAt);
        ex.gcmEncrypt(0, n);
        out.set(mem.subarray(bufAt, bufAt + n), offset + o);
      }
      ex.gcmFinish();
      ex.gcmEnd();
      mem.fill(0, bufAt, bufAt + bufSize);
    }
    out.set(mem.subarray(tagAt, tagAt + tagLen), offset + pt.length);
    mem.fill(0, tagAt, tagAt + 16);
    mem.fill(0, kn.ivAt, kn.ivAt + 16);
  }

  private openChecked(fn: string, nonce: Uint8Array, aad: Uint8Array, input: Uint8Array, tagLen: number, out: Uint8Array, offset: number): boolean {
    const ctLen = input.length - tagLen;
    const { kn, oneCall, dataAt } = this.begin(fn, nonce, aad, ctLen, out, offset);
    const { ex, mem, bufAt, bufSize, expectAt } = kn;
    mem.set(input.subarray(ctLen), expectAt);
    let ok: boolean;
    if (oneCall) {
      mem.set(aad, bufAt);
      mem.set(input.subarray(0, ctLen), bufAt + dataAt);
      ok = ex.gcmOpen(nonce.length === 12 ? 1 : 0, aad.length, dataAt, ctLen, tagLen) === 1;
      if (ok) out.set(mem.subarray(bufAt + dataAt, bufAt + dataAt + ctLen), offset);
      mem.fill(0, bufAt, bufAt + dataAt + ctLen);
    } else {
      // First pass: hash all ciphertext and check the tag; second pass, only if it holds: decrypt.
      for (let o = 0; o < ctLen; o += bufSize) {
        const n = Math.min(bufSize, ctLen - o);
        mem.set(input.subarray(o, o + n), bufAt);
        ex.gcmHashCiphertext(0, n);
      }
      ex.gcmFinish();
      ok = ex.gcmVerify(tagLen) === 1;
      if (ok) {
        for (let o = 0; o < ctLen; o += bufSize) {
          const n = Math.min(bufSize, ctLen - o);
          mem.set(input.subarray(o, o + n), bufAt);
          ex.gcmCtr(0, n);
          out.set(mem.subarray(bufAt, bufAt + n), offset + o);
        }
      }
      ex.gcmEnd();
      mem.fill(0, bufAt, bufAt + bufSize);
    }
    mem.fill(0, kn.ivAt, kn.ivAt + 16);
    return ok;
  }
}

/** Feeds the AAD to the kernel one region-full at a time. */
function streamAad(kn: AesKernel, aad: Uint8Array): void {
  const { ex, mem, bufAt, bufSize } = kn;
  for (let o = 0; o < aad.length; o += bufSize) {
    const n = Math.min(bufSize, aad.length - o);
    mem.set(aad.subarray(o, o + n), bufAt);
    ex.gcmAad(0, n);
  }
}

export interface AesClasses {
  readonly AesCbc: typeof AesCbc;
  readonly AesGcm: typeof AesGcm;
  /** The build these classes run on. */
  readonly variant: "scalar" | "simd";
}

/**
 * AesCbc and AesGcm bound to one build of the kernel: "auto" (the default classes' choice),
 * "scalar" or "simd" (throws when this engine cannot run SIMD).
 */
export function createAes(variant: WasmVariant = "auto"): AesClasses {
  if (variant !== "auto" && variant !== "scalar" && variant !== "simd") {
    throw new CryptoError("INVALID_ARGUMENT", "createAes", `variant must be "auto", "scalar" or "simd", got ${String(variant)}`);
  }
  const kn = kernel(variant);
  class BoundCbc extends AesCbc {
    protected override kernel(): AesKernel { return kn; }
  }
  class BoundGcm extends AesGcm {
    protected override kernel(): AesKernel { return kn; }
  }
  return { AesCbc: BoundCbc, AesGcm: BoundGcm, variant: kn.variant };
}

/** A build's whole linear memory, for the hygiene test. @internal */
export function _kernelMemory(variant: "scalar" | "simd"): Uint8Array {
  return kernel(variant).mem;
}
