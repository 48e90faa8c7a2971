// The generated modules in ts/crypto/wasm/gen/ must match core-wasm/: a stale embed fails here.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";
import { MODULES, sourceHash } from "../../scripts/wasm-modules.mjs";

test("every generated wasm module is current with core-wasm/ (run `npm run build:wasm` if not)", () => {
  const want = sourceHash(projectRoot);
  for (const m of MODULES) {
    const gen = join(projectRoot, "ts", "crypto", "wasm", "gen", `${m.name}.gen.ts`);
    assert.ok(existsSync(gen), `${gen} is missing: run npm run build:wasm`);
    const got = /sourceHash = "([0-9a-f]{64})"/.exec(readFileSync(gen, "utf8"))?.[1];
    assert.equal(got, want, `ts/crypto/wasm/gen/${m.name}.gen.ts is stale against core-wasm/: run npm run build:wasm`);
    if (m.simd) assert.match(readFileSync(gen, "utf8"), /export const simd: string \| null = `/, `${m.name} should embed a SIMD build`);
  }
});
