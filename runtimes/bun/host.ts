// The Host for Bun: Bun.udpSocket sockets, Bun.serve for status, process signals, Bun.file.
import { appendFileSync } from "node:fs";
import type { Host } from "../../ts/app/host.ts";
import { clock, fetchText, random } from "../shared/web.ts";
import { openUdp } from "./udp.ts";

// Just the Bun and process APIs this file uses.
interface BunServer { readonly port: number; stop(closeActive?: boolean): Promise<void> | void }
declare const Bun: {
  file(path: string): { text(): Promise<string> };
  serve(o: { hostname: string; port: number; fetch(req: Request): Response }): BunServer;
};
declare const process: {
  argv: string[];
  on(sig: string, fn: () => void): void;
  stdout: { write(s: string, cb?: () => void): boolean };
  stderr: { write(s: string, cb?: () => void): boolean };
  exit(code: number): never;
};

export const host: Host = {
  runtime: "bun",
  args: process.argv.slice(2),
  openUdp,
  clock,
  random,
  readTextFile: (path) => Bun.file(path).text(),
  appendTextFile: (path, text) => appendFileSync(path, text),
  async serveHttp(addr, handler) {
    const server = Bun.serve({
      hostname: addr.ip, port: addr.port,
      fetch(req) {
        const r = handler(req.method, new URL(req.url).pathname);
        return new Response(req.method === "HEAD" ? null : r.body, { status: r.status, headers: { "content-type": r.contentType } });
      },
    });
    return { local: { ip: addr.ip, port: server.port }, close: async () => { await server.stop(true); } };
  },
  fetchText,
  onSignal: (sig, fn) => process.on(sig, fn),
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
  // Let what was written reach the pipe before leaving.
  exit: (code) => { process.stdout.write("", () => process.stderr.write("", () => process.exit(code))); },
  // Loaded on first use: the FFI binding is only needed by a program with a `tun` section.
  openTun: async (o) => (await import("./tun.ts")).openTun(o),
  configureTun: async (name, cfg) => (await import("../shared/tun.ts")).configureTun(name, cfg),
  routeTun: async (name, op, cidr) => (await import("../shared/tun.ts")).routeTun(name, op, cidr),
};
