// What a runtime hands the programs in ts/app: sockets, clock, randomness, file reading, an HTTP
// server, signals and output. runtimes/<rt>/host.ts builds one; nothing here names a runtime.
import type { RandomSource } from "../crypto/types.ts";
import type { Address } from "../engine/types.ts";
import type { TunOpener } from "../io/tun.ts";
import type { Clock, UdpOpener } from "../io/types.ts";

export interface HttpResponse { status: number; contentType: string; body: string }
/** Answers one HTTP request; the path excludes the query string. */
export type HttpHandler = (method: string, path: string) => HttpResponse;
export interface HttpServerHandle { readonly local: Address; close(): Promise<void> }

export interface Host {
  readonly runtime: "deno" | "bun" | "node";
  /** The command-line arguments after the program name. */
  readonly args: string[];
  openUdp: UdpOpener;
  readonly clock: Clock;
  /** System randomness, supplied by the runtime (see runtimes/shared/web.ts). */
  readonly random: RandomSource;
  readTextFile(path: string): Promise<string>;
  /** Appends synchronously (key log lines stay in order); creates the file if needed. */
  appendTextFile(path: string, text: string): void;
  /** Serves `handler` on `addr` (port 0 = ephemeral); rejects when the bind fails. */
  serveHttp(addr: Address, handler: HttpHandler): Promise<HttpServerHandle>;
  fetchText(url: string): Promise<{ status: number; body: string }>;
  onSignal(signal: "SIGINT" | "SIGTERM", fn: () => void): void;
  /** Writes text as is (callers end lines with "\n"). */
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number): void;
  /** Opens a TUN device (Linux; root or CAP_NET_ADMIN). Absent on a host that cannot. */
  openTun?: TunOpener;
  /** Sets a TUN device's MTU and addresses and brings it up. */
  configureTun?(name: string, cfg: { mtu?: number; addresses?: string[] }): Promise<void>;
  /** Adds or removes a route into a TUN device. */
  routeTun?(name: string, op: "add" | "del", cidr: string): Promise<void>;
}
