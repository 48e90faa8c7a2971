// A seedable, deterministic RandomSource for tests and simulations: the ChaCha20 keystream (RFC 8439)
// under a key derived from the seed. Pure JS, so the same seed gives the same bytes on every runtime.
// Not a source of secrets: whoever knows the seed knows every byte. Hosts inject system randomness.
import { chacha20 } from "@noble/ciphers/chacha.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors.ts";
import type { RandomSource } from "./types.ts";

const LABEL = new TextEncoder().encode("skeyseed seededRandom v1");
/** Keystream bytes produced per refill (16 ChaCha20 blocks). */
const CHUNK = 1024;
const BLOCKS_PER_CHUNK = CHUNK / 64;
/** noble's ChaCha20 counter is 32 bits and does not wrap: 2^32 blocks = 256 GiB per seed. */
const MAX_COUNTER = 2 ** 32 - BLOCKS_PER_CHUNK;

/** The seed as bytes, tagged by kind so the number 1 and the byte string [1] differ. */
function seedBytes(seed: number | Uint8Array): Uint8Array {
  if (seed instanceof Uint8Array) {
    const b = new Uint8Array(1 + seed.length);
    b[0] = 1;
    b.set(seed, 1);
    return b;
  }
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new CryptoError("INVALID_ARGUMENT", "seededRandom", `seed must be a safe integer or a Uint8Array, got ${String(seed)}`);
  }
  const b = new Uint8Array(9);
  new DataView(b.buffer).setBigUint64(1, BigInt.asUintN(64, BigInt(seed)));
  return b;
}

/**
 * A deterministic RandomSource: ChaCha20 keystream (zero nonce, counter from 0) under
 * key = SHA-256(label || 0x00 || kind || seed). Each call continues the stream where the last stopped.
 */
export function seededRandom(seed: number | Uint8Array): RandomSource {
  const s = seedBytes(seed);
  const input = new Uint8Array(LABEL.length + 1 + s.length);
  input.set(LABEL);
  input.set(s, LABEL.length + 1);
  const key = sha256(input);
  const nonce = new Uint8Array(12);
  const zeros = new Uint8Array(CHUNK);
  const stream = new Uint8Array(CHUNK);
  let counter = 0;
  let pos = CHUNK;
  return (out: Uint8Array): void => {
    if (!(out instanceof Uint8Array)) throw new CryptoError("INVALID_ARGUMENT", "seededRandom", "out must be a Uint8Array");
    for (let o = 0; o < out.length;) {
      if (pos === CHUNK) {
        if (counter > MAX_COUNTER) throw new CryptoError("INVALID_ARGUMENT", "seededRandom", "keystream exhausted (256 GiB per seed)");
        chacha20(key, nonce, zeros, stream, counter);
        counter += BLOCKS_PER_CHUNK;
        pos = 0;
      }
      const n = Math.min(CHUNK - pos, out.length - o);
      out.set(stream.subarray(pos, pos + n), o);
      stream.fill(0, pos, pos + n);
      pos += n;
      o += n;
    }
  };
}
