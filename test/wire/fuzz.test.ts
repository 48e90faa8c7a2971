// The mutation fuzzer (fuzz-lib.ts) in the normal run: 4 x 25,000 mutated inputs per runtime from a
// corpus of valid messages of every exchange. Every input decodes or throws a WireError; none is slow.
// Reproduce a failure with runFuzz({ seed, iterations }) and the printed seed.
import assert from "node:assert/strict";
import { runtime, test } from "../lib/harness.ts";
import { runFuzz, type FuzzFailure } from "./fuzz-lib.ts";

const SEEDS = [0x5eed0001, 0x5eed0002, 0x5eed0003, 0x5eed0004];
const PER_SEED = 25_000;
const MAX_MS = 20;

for (const seed of SEEDS) {
  test(`fuzz: ${PER_SEED} mutated messages (seed 0x${seed.toString(16)}) decode or raise WireError, each < ${MAX_MS} ms`, () => {
    const failures: FuzzFailure[] = [];
    const stats = runFuzz({ seed, iterations: PER_SEED, maxMs: MAX_MS, onFailure: (f) => failures.push(f) });
    if (failures.length) {
      const shown = failures.slice(0, 3).map((f) => `  iteration ${f.iteration} (${f.corpus}, ${f.mutation}): ${f.reason}\n    input ${f.input}`);
      assert.fail(`fuzz seed 0x${seed.toString(16)} on ${runtime}: ${failures.length} failures\n${shown.join("\n")}`);
    }
    assert.equal(stats.iterations, PER_SEED);
    assert.ok(stats.maxMs < MAX_MS, `slowest input took ${stats.maxMs.toFixed(2)} ms`);
    // The corpus and mutations reach both outcomes and several error kinds.
    assert.ok(stats.decoded > PER_SEED / 10, `only ${stats.decoded} inputs decoded`);
    for (const code of ["TRUNCATED", "BAD_LENGTH", "BAD_VALUE", "LIMIT_EXCEEDED", "BAD_VERSION"]) {
      assert.ok((stats.rejected[code] ?? 0) > 0, `no input was rejected with ${code}`);
    }
  });
}
