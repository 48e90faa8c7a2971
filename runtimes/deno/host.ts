// The Host for Deno: Deno.listenDatagram sockets, Deno.serve for status, Deno signals and files.
import type { Host } from "../../ts/app/host.ts";
import { clock, fetchText, random } from "../shared/web.ts";
import { openUdp } from "./udp.ts";

// Just the Deno API this file uses.
interface DenoServer { readonly addr: { hostname: string; port: number }; shutdown(): Promise<void> }
declare const Deno: {
  args: string[];
  readTextFile(path: string): Promise<string>;
  writeTextFileSync(path: string, text: string, o: { append: boolean }): void;
  serve(o: { hostname: string; port: number; onListen?: () => void }, h: (req: Request) => Response): DenoServer;
  addSignalListener(sig: "SIGINT" | "SIGTERM", fn: () => void): void;
  stdout: { writeSync(b: Uint8Array): number };
  stderr: { writeSync(b: Uint8Array): number };
  exit(code: number): never;
};

const encoder = new TextEncoder();
const writeAll = (w: { writeSync(b: Uint8Array): number }, text: string) => {
  let b = encoder.encode(text);
  while (b.length) b = b.subarray(w.writeSync(b));
};

export const host: Host = {
  runtime: "deno",
  args: Deno.args,
  openUdp,
  clock,
  random,
  readTextFile: (path) => Deno.readTextFile(path),
  appendTextFile: (path, text) => Deno.writeTextFileSync(path, text, { append: true }),
  async serveHttp(addr, handler) {
    const server = Deno.serve({ hostname: addr.ip, port: addr.port, onListen: () => {} }, (req) => {
      const r = handler(req.method, new URL(req.url).pathname);
      return new Response(req.method === "HEAD" ? null : r.body, { status: r.status, headers: { "content-type": r.contentType } });
    });
    return { local: { ip: addr.ip, port: server.addr.port }, close: () => server.shutdown() };
  },
  fetchText,
  onSignal: (sig, fn) => Deno.addSignalListener(sig, fn),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  exit: (code) => Deno.exit(code),
  // Loaded on first use: the FFI binding is only needed by a program with a `tun` section.
  openTun: async (o) => (await import("./tun.ts")).openTun(o),
  configureTun: async (name, cfg) => (await import("../shared/tun.ts")).configureTun(name, cfg),
  routeTun: async (name, op, cidr) => (await import("../shared/tun.ts")).routeTun(name, op, cidr),
};
