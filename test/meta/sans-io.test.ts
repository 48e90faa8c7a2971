// ts/ is sans-IO and runtime-agnostic: no clock, timer, randomness, socket, file or runtime global.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";

const FORBIDDEN = /\b(Date\.now|new Date\(|performance\.now|setTimeout|setInterval|setImmediate|queueMicrotask|Math\.random|getRandomValues|randomBytes|randomFill|Deno\.|Bun\.|process\.|globalThis\.process|require\(|node:dgram|node:net|node:fs|node:os|node:child_process|node:http|fetch\()/;

function tsFiles(d: string, out: string[] = []): string[] {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (f.endsWith(".ts") && !f.endsWith(".gen.ts")) out.push(p);
  }
  return out;
}

test("nothing under ts/ reads a clock, sets a timer, draws randomness or names a runtime global", () => {
  const hits: string[] = [];
  for (const f of tsFiles(join(projectRoot, "ts"))) {
    let inBlock = false;
    readFileSync(f, "utf8").split("\n").forEach((line, i) => {
      // Strip comments: block comments (possibly spanning lines) and line comments.
      let code = "";
      for (let j = 0; j < line.length; j++) {
        if (inBlock) { if (line.startsWith("*/", j)) { inBlock = false; j++; } continue; }
        if (line.startsWith("/*", j)) { inBlock = true; j++; continue; }
        if (line.startsWith("//", j)) break;
        code += line[j];
      }
      if (FORBIDDEN.test(code)) hits.push(`${relative(projectRoot, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(hits, [], "sans-IO violations:\n" + hits.join("\n"));
});

test("the scan catches a forbidden line (self-check)", () => {
  assert.ok(FORBIDDEN.test("const t = Date.now();"));
  assert.ok(FORBIDDEN.test("crypto.getRandomValues(buf)"));
  assert.ok(!FORBIDDEN.test("const x = prf.compute(data);"));
});
