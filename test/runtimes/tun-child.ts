// Child process for tun.test.ts: opens a TUN device with this runtime's adapter, starts its read
// loop, closes it and returns without any other cleanup. The parent checks that the process then
// exits by itself (no handle, thread or pending call left behind by the adapter).
import type { TunOpener } from "../../ts/io/tun.ts";
import { openTun as denoTun } from "../../runtimes/deno/tun.ts";
import { openTun as bunTun } from "../../runtimes/bun/tun.ts";
import { openTun as nodeTun } from "../../runtimes/node/tun.ts";
import { runtime } from "../lib/harness.ts";
import process from "node:process";

const openTun: TunOpener = { deno: denoTun, bun: bunTun, node: nodeTun }[runtime];
const name = process.argv[process.argv.length - 1];
const dev = await openTun({ name });
let packets = 0;
dev.onPacket(() => { packets++; });
await new Promise((r) => setTimeout(r, 100)); // the loop is now waiting in poll()
const t0 = Date.now();
await dev.close();
console.log(`closed ${dev.name} in ${Date.now() - t0} ms after ${packets} packets`);
