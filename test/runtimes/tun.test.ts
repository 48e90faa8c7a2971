// This runtime's TUN adapter against the real kernel (the harness runs this file on Node, Deno and
// Bun in turn). Needs root and /dev/net/tun, and fails loudly without them. Each run makes its own
// device (sks<pid><n|d|b>) in the root namespace with addresses from 198.18.0.0/15 and fd00:5ee5::/32
// only; closing the device removes it with its addresses and routes. `ping` sends an echo request
// that the kernel routes into the device; the test answers it through write() and ping must succeed.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { projectRoot, runtime, test } from "../lib/harness.ts";
import { TunError, type TunDevice, type TunOpener } from "../../ts/io/tun.ts";
import { configureTun } from "../../runtimes/shared/tun.ts";
import { openTun as denoTun } from "../../runtimes/deno/tun.ts";
import { openTun as bunTun } from "../../runtimes/bun/tun.ts";
import { openTun as nodeTun } from "../../runtimes/node/tun.ts";

const openTun: TunOpener = { deno: denoTun, bun: bunTun, node: nodeTun }[runtime];
const rt = runtime[0];
const devName = (tag = "") => `sks${process.pid}${rt}${tag}`;
// A /30 per run (pid and runtime), so concurrent runs on this host do not share addresses.
const slot = (process.pid * 3 + "ndb".indexOf(rt)) % 16384;
const v4 = (base: number, host: number) => `198.${base}.${slot >> 6}.${((slot & 63) << 2) + host}`;

function preflight(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (uid 0)");
  if (!existsSync("/dev/net/tun")) missing.push("/dev/net/tun");
  for (const p of ["ip", "ping"]) { try { execFileSync("sh", ["-c", `command -v ${p}`]); } catch { missing.push(`the \`${p}\` program`); } }
  if (missing.length) throw new Error(`TUN TESTS CANNOT RUN HERE: they need ${missing.join(", ")}`);
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: String(stdout) + String(stderr) }));
  });
}

function sum16(b: Uint8Array, start: number, end: number, acc = 0): number {
  for (let i = start; i < end; i += 2) acc += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  return acc;
}
const fold = (s: number) => { while (s > 0xffff) s = (s & 0xffff) + (s >>> 16); return (~s) & 0xffff; };
const put16 = (b: Uint8Array, at: number, v: number) => { b[at] = v >> 8; b[at + 1] = v & 0xff; };
const ip4 = (b: Uint8Array, at: number) => Array.from(b.subarray(at, at + 4)).join(".");

/** Checks an IPv4 ICMP echo request and returns the echo reply for it (or undefined for other packets). */
function echoReply4(p: Uint8Array, from: string, to: string): Uint8Array | undefined {
  if (p[0] >> 4 !== 4 || p[9] !== 1 || p[20] !== 8) return undefined;
  assert.equal(p[0] & 15, 5, "IHL");
  assert.equal((p[2] << 8) | p[3], p.length, "total length matches the read");
  assert.equal(fold(sum16(p, 0, 20)), 0, "IPv4 header checksum");
  assert.equal(fold(sum16(p, 20, p.length)), 0, "ICMP checksum");
  assert.equal(ip4(p, 12), from); assert.equal(ip4(p, 16), to);
  assert.equal(p[21], 0, "ICMP code");
  const r = p.slice();
  r.set(p.subarray(16, 20), 12); r.set(p.subarray(12, 16), 16);
  r[8] = 64; r[10] = r[11] = 0; put16(r, 10, fold(sum16(r, 0, 20)));
  r[20] = 0; r[22] = r[23] = 0; put16(r, 22, fold(sum16(r, 20, r.length)));
  return r;
}

/** The same for IPv6 / ICMPv6 (the checksum covers the pseudo-header). */
function echoReply6(p: Uint8Array): Uint8Array | undefined {
  if (p[0] >> 4 !== 6 || p[6] !== 58 || p[40] !== 128) return undefined;
  const len = (p[4] << 8) | p[5];
  assert.equal(len + 40, p.length, "payload length matches the read");
  const pseudo = (b: Uint8Array) => sum16(b, 8, 40, len + 58);
  assert.equal(fold(sum16(p, 40, p.length, pseudo(p))), 0, "ICMPv6 checksum");
  const r = p.slice();
  r.set(p.subarray(24, 40), 8); r.set(p.subarray(8, 24), 24);
  r[7] = 64; r[40] = 129; r[42] = r[43] = 0;
  put16(r, 42, fold(sum16(r, 40, r.length, pseudo(r))));
  return r;
}

async function withTun(tag: string, fn: (dev: TunDevice) => Promise<void>, mtu = 1400): Promise<void> {
  preflight();
  const dev = await openTun({ name: devName(tag), mtu });
  try {
    await fn(dev);
  } finally {
    await dev.close();
    // A still-present device would mean close() did not free the descriptor.
    const { code } = await run("ip", ["link", "show", "dev", dev.name]);
    assert.notEqual(code, 0, `${dev.name} still exists after close()`);
  }
}

test("IPv4: ping to an address routed into the TUN gets the echo reply the adapter writes back", () =>
  withTun("", async (dev) => {
    assert.equal(dev.name, devName());
    const local = v4(18, 1), target = v4(19, 2);
    await configureTun(dev.name, { addresses: [`${local}/30`], mtu: dev.mtu, routes: [`${target}/32`] });
    const seen: number[] = [];
    const errors: Error[] = [];
    dev.onError((e) => errors.push(e));
    dev.onPacket((p) => {
      const reply = echoReply4(p, local, target);
      if (reply) { seen.push(p.length); dev.write(reply); }
    });
    const ping = await run("ping", ["-c", "1", "-W", "2", "-s", "200", target]);
    assert.equal(ping.code, 0, `ping ${target} failed:\n${ping.out}`);
    assert.match(ping.out, /1 received/);
    assert.doesNotMatch(ping.out, /BAD CHECKSUM|wrong data|DUP!|goes back/i, "ping saw the reply exactly as it was sent");
    assert.deepEqual(seen, [20 + 8 + 200], "one echo request, with its 200-byte payload");
    assert.deepEqual(errors, []);
  }), { timeoutMs: 20_000 });

test("IPv6: ping -6 through the TUN gets the ICMPv6 echo reply the adapter writes back", () =>
  withTun("", async (dev) => {
    const net = `fd00:5ee5:${slot.toString(16)}`;
    await configureTun(dev.name, { addresses: [`${net}::1/64`], mtu: dev.mtu, routes: [`${net}:1::2/128`] });
    let seen = 0;
    // The reply goes out as a view into a larger buffer: the FFI call must honour byteOffset.
    dev.onPacket((p) => {
      const r = echoReply6(p);
      if (!r) return;
      seen++;
      const big = new Uint8Array(r.length + 10).fill(0xee);
      big.set(r, 3);
      dev.write(big.subarray(3, 3 + r.length));
    });
    const ping = await run("ping", ["-6", "-c", "1", "-W", "2", `${net}:1::2`]);
    assert.equal(ping.code, 0, `ping -6 ${net}:1::2 failed:\n${ping.out}`);
    assert.doesNotMatch(ping.out, /BAD CHECKSUM|wrong data|DUP!|goes back/i, "ping saw the reply exactly as it was sent");
    assert.equal(seen, 1);
  }), { timeoutMs: 20_000 });

test("bad input gives TunErrors: empty, oversized, non-IP and after-close writes; bad names, MTUs and a busy name", async () => {
  preflight();
  await assert.rejects(openTun({ name: "x".repeat(16) }), (e) => e instanceof TunError && e.code === "bad-option");
  await assert.rejects(openTun({ name: "a b" }), (e) => e instanceof TunError && e.code === "bad-option");
  await assert.rejects(openTun({ mtu: 10 }), (e) => e instanceof TunError && e.code === "bad-option");
  let dev!: TunDevice;
  await withTun("x", async (d) => {
    dev = d;
    await assert.rejects(openTun({ name: d.name }), (e) => e instanceof TunError && e.code === "open" && e.errno === 16);
    assert.throws(() => d.write(new Uint8Array(0)), (e) => e instanceof TunError && e.code === "empty");
    assert.throws(() => d.write(new Uint8Array(d.mtu + 1).fill(0x45)), (e) => e instanceof TunError && e.code === "too-big");
    // The kernel refuses a packet that is neither IPv4 nor IPv6 (EINVAL): reported, not thrown.
    const errors: Error[] = [];
    d.onError((e) => errors.push(e));
    d.write(new Uint8Array(40).fill(0xff));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TunError && errors[0].code === "io" && errors[0].errno === 22, String(errors[0]));
  }, 576);
  assert.equal(dev.mtu, 576);
  assert.throws(() => dev.write(new Uint8Array(40).fill(0x45)), (e) => e instanceof TunError && e.code === "closed");
  await dev.close(); // a second close is a no-op
}, { timeoutMs: 20_000 });

test("a name with %d gets the kernel's number, and the adapter reports it", () => {
  preflight();
  return openTun({ name: `sk${process.pid}${rt}%d` }).then(async (dev) => {
    try {
      assert.match(dev.name, new RegExp(`^sk${process.pid}${rt}\\d+$`));
      const { code } = await run("ip", ["link", "show", "dev", dev.name]);
      assert.equal(code, 0, `${dev.name} not found`);
    } finally { await dev.close(); }
  });
}, { timeoutMs: 20_000 });

test("close() ends a waiting read loop: a child process that opens, reads and closes exits by itself", async () => {
  preflight();
  const child = join(projectRoot, "test", "runtimes", "tun-child.ts");
  const bin = (n: string) => join(projectRoot, "node_modules", ".bin", n);
  let cmd: [string, string[]];
  let bundle: string | undefined;
  if (runtime === "node") {
    const out = join(projectRoot, ".build", `tun-child.${process.pid}.mjs`);
    bundle = out;
    execFileSync(bin("esbuild"), [child, "--bundle", "--platform=node", "--format=esm", "--packages=external", "--log-level=warning", `--outfile=${out}`]);
    cmd = [process.execPath, [out]];
  } else if (runtime === "deno") cmd = [bin("deno"), ["run", "-A", "--quiet", child]];
  else cmd = [bin("bun"), ["run", child]];
  const name = devName("c");
  try {
    const t0 = Date.now();
    const p = spawn(cmd[0], [...cmd[1], name], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout!.on("data", (d) => (out += d));
    p.stderr!.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => { p.kill("SIGKILL"); resolve(null); }, 10_000);
      p.on("exit", (c) => { clearTimeout(kill); resolve(c); });
    });
    assert.notEqual(code, null, `the child did not exit within 10 s of close(): a handle was left open\n${out}`);
    assert.equal(code, 0, out);
    const m = /closed (\S+) in (\d+) ms/.exec(out);
    if (!m) throw new Error(`the child did not report close():\n${out}`);
    assert.equal(m[1], name);
    assert.ok(Number(m[2]) < 500, `close() took ${m[2]} ms`);
    console.log(`  ${runtime}: ${out.trim()}; child ran ${Date.now() - t0} ms in all`);
  } finally {
    if (bundle) rmSync(bundle, { force: true });
  }
}, { timeoutMs: 30_000 });
