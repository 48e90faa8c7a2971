// `npm start` (scripts/start.mjs), as the README promises it: as root, a Deno gateway and a Bun tunnel
// in two network namespaces with TUN devices bring the SAs up, ping through the tunnel both ways, rekey,
// ping again and close, exit 0; with --no-tun (as when not root) it says there is no data plane.
// Needs root and /dev/net/tun for the first case (CI runs as root); Node runner only.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, test } from "../lib/harness.ts";

function demo(args: string[], ms: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(projectRoot, "scripts", "start.mjs"), ...args], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
    p.stderr.setEncoding("utf8").on("data", (d: string) => { out += d; });
    const t = setTimeout(() => { p.kill("SIGKILL"); reject(new Error(`the demo did not end within ${ms} ms:\n${out}`)); }, ms);
    p.on("close", (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}

test("npm start as root: TUN devices in two namespaces, pings through the tunnel both ways and after the rekeys, clean exit", async () => {
  if (process.getuid?.() !== 0 || !existsSync("/dev/net/tun")) throw new Error("this test needs root and /dev/net/tun (CI runs as root)");
  const { code, out } = await demo(["--seconds", "22"], 60_000);
  assert.equal(code, 0, out);
  assert.match(out, /TUN device skedge0 up/);
  assert.match(out, /route 10\.2\.0\.0\/16 -> skedge0/);
  assert.equal((out.match(/3\/3 replies/g) ?? []).length, 3, `three ping runs, each answered 3/3:\n${out}`);
  assert.match(out, /Child SA rekeyed/);
  assert.match(out, /data plane: skgw0 \(MTU 1400\): ESP \d+ packets sent, \d+ received; dropped: none/);
  assert.match(out, /3 of 3 ping runs through the tunnel answered, 0 warning\(s\); tunnel exit 0, gateway exit 0/);
  // The namespaces are gone.
  const ns = await new Promise<string>((r) => { const p = spawn("ip", ["netns", "list"]); let s = ""; p.stdout.on("data", (d) => { s += d; }); p.on("close", () => r(s)); });
  assert.ok(!/skeyseed-demo-/.test(ns), ns);
}, { runtimes: ["node"], timeoutMs: 70_000 });

test("npm start --no-tun: says there is no data plane and how to get one, and still runs the SAs", async () => {
  const { code, out } = await demo(["--seconds", "6", "--no-tun"], 40_000);
  assert.equal(code, 0, out);
  assert.match(out, /\(--no-tun: no data plane, so no ping through the tunnel; `sudo npm start` adds TUN devices/);
  assert.match(out, /IKE SA edge\[1\] ESTABLISHED/);
  assert.ok(!/ping -I/.test(out));
}, { runtimes: ["node"], timeoutMs: 50_000 });
