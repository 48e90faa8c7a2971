// The MODP groups (RFC 2409 §6, RFC 3526): the primes against their defining formula and node:crypto's
// built-in copies, the safe-prime property through our modexp, and peer value validation (RFC 6989).
import assert from "node:assert/strict";
import { getDiffieHellman } from "node:crypto";
import { runtime, test } from "../lib/harness.ts";
import { CryptoError } from "../../ts/crypto/errors.ts";
import { MODP_GROUPS, validateModpPublic } from "../../ts/crypto/modp.ts";
import { MontgomeryContext } from "../../ts/crypto/wasm/modexp.ts";

// Transform ID -> [bits, the offset in p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + offset)].
const RFC: Record<number, [number, number]> = {
  1: [768, 149686], 2: [1024, 129093], 5: [1536, 741804], 14: [2048, 124476],
  15: [3072, 1690314], 16: [4096, 240904], 17: [6144, 929484], 18: [8192, 4743158],
};

const toBig = (b: Uint8Array): bigint => {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
};
const toBytes = (x: bigint, len: number): Uint8Array => {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
};

/** floor(pi * 2^bits) by Machin's formula, pi = 16 atan(1/5) - 4 atan(1/239), with guard bits. */
function piScaled(bits: number): bigint {
  const guard = 64n, one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n, term = one / x, k = 1n, sign = 1n;
    while (term !== 0n) {
      sum += (sign * term) / k;
      term /= x * x;
      k += 2n;
      sign = -sign;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

test("MODP_GROUPS holds groups 1, 2, 5 and 14-18 with the RFC bit lengths, g = 2 and an exponent size", () => {
  assert.deepEqual(Object.keys(MODP_GROUPS).map(Number).sort((a, b) => a - b), [1, 2, 5, 14, 15, 16, 17, 18]);
  for (const [id, [bits]] of Object.entries(RFC)) {
    const g = MODP_GROUPS[Number(id)];
    assert.equal(g.id, Number(id));
    assert.equal(g.bits, bits);
    assert.equal(g.prime.length * 8, bits);
    assert.equal(toBig(g.prime).toString(2).length, bits, `group ${id}: top bit set`);
    assert.equal(g.generator, 2);
    assert.equal(g.name, `MODP_${bits}`);
    assert.ok(g.exponentBits >= 256 && g.exponentBits % 64 === 0 && g.exponentBits < bits, `group ${id}: exponentBits ${g.exponentBits}`);
  }
});

test("every MODP prime is the RFC formula 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + offset)", () => {
  const pi = piScaled(8192 - 130);
  for (const [id, [bits, offset]] of Object.entries(RFC)) {
    const n = BigInt(bits);
    const p = (1n << n) - (1n << (n - 64n)) - 1n + (1n << 64n) * ((pi >> BigInt(8192 - bits)) + BigInt(offset));
    assert.equal(toBig(MODP_GROUPS[Number(id)].prime), p, `group ${id}`);
  }
});

// Bun has no modp1 and modp2, and its getDiffieHellman checks the group first (34 s for modp18):
// there only group 5 is compared; Node and Deno compare all eight.
test("every MODP prime equals node:crypto's built-in copy of the RFC value", () => {
  const ids = runtime === "bun" ? [5] : Object.keys(RFC).map(Number);
  for (const id of ids) {
    assert.deepEqual(MODP_GROUPS[id].prime, new Uint8Array(getDiffieHellman(`modp${id}`).getPrime()), `group ${id}`);
  }
});

test("MODP primes are safe primes by Fermat: 2^(p-1) = 1 mod p, and 2^(q-1) = 1 mod q = (p-1)/2 up to 4096 bits", () => {
  const two = Uint8Array.of(2);
  for (const id of Object.keys(RFC)) {
    const g = MODP_GROUPS[Number(id)];
    const p = toBig(g.prime), len = g.prime.length;
    const one = toBytes(1n, len);
    assert.deepEqual(new MontgomeryContext(g.prime).pow(two, toBytes(p - 1n, len)), one, `group ${id}: 2^(p-1) mod p`);
    if (g.bits > 4096) continue;
    assert.notDeepEqual(new MontgomeryContext(g.prime).pow(two, toBytes(p - 3n, len)), one, `group ${id}: 2^(p-3) mod p`);
    const q = (p - 1n) / 2n;
    assert.deepEqual(new MontgomeryContext(toBytes(q, len)).pow(two, toBytes(q - 1n, len)), one, `group ${id}: 2^(q-1) mod q`);
  }
});

test("validateModpPublic rejects 0, 1, p-1, p, p+1, 2^n-1 and wrong lengths, accepts 2, p-2 and a random value", () => {
  for (const id of [1, 14, 18]) {
    const g = MODP_GROUPS[id];
    const p = toBig(g.prime), len = g.prime.length;
    const rejected = (y: Uint8Array, what: string) =>
      assert.throws(() => validateModpPublic(g, y), (e: unknown) => e instanceof CryptoError && e.code === "INVALID_PUBLIC_VALUE" && e.message.startsWith("modp.validate: "), `group ${id}: ${what}`);
    for (const [what, y] of [["0", 0n], ["1", 1n], ["p-1", p - 1n], ["p", p], ["p+1", p + 1n], ["2^n-1", (1n << BigInt(g.bits)) - 1n]] as const) {
      rejected(toBytes(y, len), what);
    }
    rejected(toBytes(2n, len - 1), "one byte short");
    rejected(toBytes(2n, len + 1), "one byte long");
    rejected(new Uint8Array(0), "empty");
    for (const y of [2n, 3n, p - 2n, p / 3n, 1n << BigInt(g.bits - 1)]) validateModpPublic(g, toBytes(y, len));
  }
  assert.throws(() => validateModpPublic(MODP_GROUPS[14], "x" as unknown as Uint8Array), CryptoError);
});
