// The Host for Node: node:dgram sockets, node:http for status, process signals, node:fs.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { appendFileSync } from "node:fs";
import type { Host } from "../../ts/app/host.ts";
import { clock, fetchText, random } from "../shared/web.ts";
import { openUdp } from "./udp.ts";

// Just the process API this file uses.
declare const process: {
  argv: string[];
  on(sig: string, fn: () => void): void;
  stdout: { write(s: string, cb?: () => void): boolean };
  stderr: { write(s: string, cb?: () => void): boolean };
  exit(code: number): never;
};

export const host: Host = {
  runtime: "node",
  args: process.argv.slice(2),
  openUdp,
  clock,
  random,
  readTextFile: (path) => readFile(path, "utf8"),
  appendTextFile: (path, text) => appendFileSync(path, text),
  serveHttp: (addr, handler) => new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const r = handler(req.method ?? "GET", new URL(req.url ?? "/", "http://localhost").pathname);
      res.writeHead(r.status, { "content-type": r.contentType });
      res.end(req.method === "HEAD" ? undefined : r.body);
    });
    server.once("error", reject);
    server.listen(addr.port, addr.ip, () => {
      const a = server.address() as { port: number };
      resolve({
        local: { ip: addr.ip, port: a.port },
        close: () => new Promise<void>((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  }),
  fetchText,
  onSignal: (sig, fn) => process.on(sig, fn),
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
  exit: (code) => { process.stdout.write("", () => process.stderr.write("", () => process.exit(code))); },
  // Loaded on first use: the FFI binding is only needed by a program with a `tun` section.
  openTun: async (o) => (await import("./tun.ts")).openTun(o),
  configureTun: async (name, cfg) => (await import("../shared/tun.ts")).configureTun(name, cfg),
  routeTun: async (name, op, cidr) => (await import("../shared/tun.ts")).routeTun(name, op, cidr),
};
