// The gateway and the tunnel, runtime-agnostic: parse the command line, load the configuration,
// bind the sockets, run the one driver loop, serve status on loopback, keep the configured
// connections up, and shut down gracefully on SIGINT/SIGTERM. runtimes/<rt>/ only supplies the Host.
import type { CryptoProvider, RandomSource } from "../crypto/types.ts";
import { addr } from "../engine/endpoint.ts";
import { DataPlane } from "../io/dataplane.ts";
import { Driver, type LogLine, type SocketBinding } from "../io/driver.ts";
import type { TunDevice } from "../io/tun.ts";
import { metricsText, statusSnapshot, type StatusSnapshot } from "../io/status.ts";
import type { UdpSocket } from "../io/types.ts";
import { UsageError, helpText, parseCli, type CliArgs } from "./cli.ts";
import { ConfigFileError, loadConfig, referencedFiles, type LoadedConfig, type ProgramKind } from "./config.ts";
import { explainEvent, explainNote } from "./explain.ts";
import type { Host, HttpHandler, HttpServerHandle } from "./host.ts";
import { Keeper } from "./keeper.ts";
import { formatStatusTable } from "./status-table.ts";

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export function runGateway(host: Host): Promise<number> { return runProgram("gateway", host); }
export function runTunnel(host: Host): Promise<number> { return runProgram("tunnel", host); }

export async function runProgram(kind: ProgramKind, host: Host): Promise<number> {
  let cli: CliArgs;
  try {
    cli = parseCli(kind, host.args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    host.stderr(`${kind}: ${e.message}\nTry --help.\n`);
    return EXIT.USAGE;
  }
  if (cli.help) { host.stdout(helpText(kind, host.runtime)); return EXIT.OK; }
  if (cli.command === "status") return statusCommand(kind, host, cli);
  if (!cli.config) { host.stderr(`${kind}: --config FILE is required\nTry --help.\n`); return EXIT.USAGE; }

  let cfg: LoadedConfig;
  try {
    const text = await host.readTextFile(cli.config);
    // Certificates, keys, trust anchors and CRLs named in the file; a file that cannot be read is
    // reported at its field by loadConfig.
    const files = new Map<string, string | Error>();
    for (const f of referencedFiles(cli.config, text)) {
      try { files.set(f, await host.readTextFile(f)); } catch (e) { files.set(f, e instanceof Error ? e : new Error(String(e))); }
    }
    cfg = loadConfig(kind, cli.config, text, { files, now: Date.parse(host.clock.timestamp()) });
  } catch (e) {
    if (e instanceof ConfigFileError) { host.stderr(`${kind}: ${e.message}\n`); return EXIT.USAGE; }
    host.stderr(`${kind}: cannot read ${cli.config}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.USAGE;
  }
  const p = cfg.program;
  if (cli.logLevel) p.logLevel = cli.logLevel;
  if (cli.provider) p.provider = cli.provider;
  if (cli.status === null) p.status.enabled = false;
  else if (cli.status) {
    if (cli.status.address !== "::1" && !/^127\./.test(cli.status.address)) { host.stderr(`${kind}: --status: the status server listens on loopback only (127.0.0.1 or ::1)\n`); return EXIT.USAGE; }
    p.status = { enabled: true, ...cli.status };
  }
  if (cli.check) {
    const c = cfg.endpoint.connections;
    host.stdout(`${cfg.file}: OK: ${c.length} connection${c.length === 1 ? "" : "s"} (${c.map((x) => x.name + (x.start ? " [start]" : "")).join(", ")}); ` +
      `listen ${p.listen.join(", ")} ports ${p.port}/${p.nattPort}; status ${p.status.enabled ? `${p.status.address}:${p.status.port}` : "off"}; ` +
      `tun ${p.tun ? `${p.tun.name ?? "(kernel-named)"} mtu ${p.tun.mtu}${p.tun.addresses.length ? ` ${p.tun.addresses.join(" ")}` : ""}, routes ${p.tun.routes === "auto" ? "auto" : p.tun.routes.join(" ") || "none"}` : "off (SAs only, no traffic)"}\n`);
    return EXIT.OK;
  }
  return serve(kind, host, cfg, cli);
}

async function serve(kind: ProgramKind, host: Host, cfg: LoadedConfig, cli: CliArgs): Promise<number> {
  const p = cfg.program;
  const plain = kind === "tunnel" && !cli.quiet ? (s: string) => host.stderr(`${kind}: ${s}\n`) : () => {};
  let crypto: CryptoProvider;
  try {
    crypto = await loadProvider(p.provider, host.random, host.runtime);
  } catch (e) {
    host.stderr(`${kind}: cannot load the ${p.provider} crypto provider: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.FAILURE;
  }

  let bindings: SocketBinding[];
  try {
    bindings = await openSockets(host, p.listen, p.port, p.nattPort, kind, p.tun ? SOCKET_BUFFER_BYTES : undefined);
  } catch (e) {
    host.stderr(`${kind}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.FAILURE;
  }
  // The data plane's TUN device, before the SAs that will use it.
  let tun: TunDevice | undefined;
  if (p.tun) {
    try {
      tun = await openTunDevice(host, p.tun);
    } catch (e) {
      host.stderr(`${kind}: ${e instanceof Error ? e.message : String(e)}\n`);
      await Promise.all(bindings.map((b) => b.socket.close().catch(() => {})));
      return EXIT.FAILURE;
    }
  }
  let dataPlane: DataPlane | undefined;
  const ikePort = bindings.find((b) => !b.natt)!.socket.local.port;
  const nattPort = bindings.find((b) => b.natt)!.socket.local.port;
  const write = (line: LogLine) => host.stdout(JSON.stringify(line) + "\n");
  const driver = new Driver({
    config: { ...cfg.endpoint, ports: { ike: ikePort, natt: nattPort } },
    crypto, sockets: bindings, clock: host.clock, write, logLevel: p.logLevel,
    onEsp: (dg) => dataPlane?.fromNetwork(dg),
    onKeylog: p.keyLogDir ? (line, format) => host.appendTextFile(`${p.keyLogDir!.replace(/\/+$/, "")}/${format}`, line + "\n") : undefined,
  });
  if (tun && p.tun) {
    const dev = tun, routes = p.tun.routes;
    dataPlane = new DataPlane({
      driver, crypto, tun: dev, keepaliveMs: p.tun.keepaliveMs, replayWindow: p.tun.replayWindow,
      route: routes === "auto" && host.routeTun ? (op, cidr) => host.routeTun!(dev.name, op, cidr) : undefined,
    });
    const buf = bindings.find((b) => b.natt)?.socket.buffers;
    driver.log({
      level: buf && buf.recv >= SOCKET_BUFFER_BYTES ? "info" : "warn", event: "tun-up", device: dev.name, mtu: dev.mtu, addresses: p.tun.addresses, routes,
      nattSocketBuffers: buf ?? "unchanged",
      ...(buf && buf.recv >= SOCKET_BUFFER_BYTES ? {} : { reason: `the NAT-T socket's receive buffer could not be raised to ${SOCKET_BUFFER_BYTES} bytes (${buf ? `got ${buf.recv}` : "not supported here"}): bursts of ESP may be dropped; raise net.core.rmem_max` }),
    });
  } else driver.log({ level: "info", event: "no-data-plane", reason: `no ${kind}.tun section: SAs are negotiated but carry no traffic` });
  if (p.keyLogDir) driver.log({ level: "warn", event: "key-log-enabled", reason: `session keys are written to ${p.keyLogDir}/ikev2_decryption_table and esp_sa (for Wireshark; debugging only)` });

  let http: HttpServerHandle | undefined;
  if (p.status.enabled) {
    try {
      http = await host.serveHttp({ ip: p.status.address, port: p.status.port }, statusHandler(driver, { program: kind, runtime: host.runtime }, dataPlane, tun));
    } catch (e) {
      host.stderr(`${kind}: cannot start the status server on ${addr({ ip: p.status.address, port: p.status.port })}: ${e instanceof Error ? e.message : String(e)} (set ${kind}.status.port, or --status off)\n`);
      await dataPlane?.close();
      await tun?.close();
      await driver.close();
      return EXIT.FAILURE;
    }
  }
  driver.log({
    level: "info", event: "listening", program: kind, runtime: host.runtime, provider: crypto.name, config: cfg.file,
    ike: bindings.filter((b) => !b.natt).map((b) => addr(b.socket.local)), natt: bindings.filter((b) => b.natt).map((b) => addr(b.socket.local)),
    status: http ? `http://${addr(http.local)}` : "off", connections: cfg.endpoint.connections.map((c) => c.name),
  });
  plain(`listening on ${bindings.map((b) => addr(b.socket.local)).join(", ")}${http ? `; status at http://${addr(http.local)}/status` : ""}${tun ? `; traffic through ${tun.name}` : ""}`);

  if (kind === "tunnel") {
    const ctx = {
      config: cfg.endpoint, offers: cfg.offers,
      connOfIke: (id: number) => driver.endpoint.ikeSas().find((i) => i.id === id)?.name ?? (cfg.keep.length === 1 ? cfg.keep[0] : undefined),
    };
    driver.onEvent((e) => { const s = explainEvent(e, ctx); if (s) plain(s); });
  }
  const keeper = new Keeper(driver, cfg.keep, p.reconnect, (n) => {
    const { kind: what, ...fields } = n;
    driver.log({ level: what === "retry-scheduled" ? "info" : "debug", event: `keeper-${what}`, ...fields });
    const s = explainNote(n);
    if (s) plain(s);
  });
  keeper.start();

  const signal = await new Promise<string>((resolve) => {
    // A signal repeated within a second is the same request (a terminal's Ctrl-C reaches the whole
    // process group, supervisors often forward it too); a later one means "stop waiting".
    let first: number | undefined;
    const on = (sig: string) => () => {
      if (first === undefined) { first = host.clock.now(); resolve(sig); return; }
      if (host.clock.now() - first < 1000) return;
      host.stderr(`${kind}: second ${sig}: exiting without waiting for the peers\n`);
      host.exit(130);
    };
    host.onSignal("SIGINT", on("SIGINT"));
    host.onSignal("SIGTERM", on("SIGTERM"));
  });
  keeper.stop();
  const ikeSas = driver.endpoint.ikeSas().length;
  driver.log({ level: "info", event: "shutdown", signal, ikeSas, reason: `${signal}: deleting ${ikeSas} IKE SA${ikeSas === 1 ? "" : "s"} and telling the peers` });
  plain(`${signal}: closing ${ikeSas} IKE SA${ikeSas === 1 ? "" : "s"}...`);
  const r = await driver.shutdown(p.shutdownGraceMs);
  driver.log({ level: r.clean ? "info" : "warn", event: "shutdown-complete", clean: r.clean, remaining: driver.endpoint.ikeCount, ...(r.clean ? {} : { reason: `no answer to some Deletes within ${p.shutdownGraceMs / 1000} s` }) });
  plain(r.clean ? "closed; bye." : `gave up waiting for ${driver.endpoint.ikeCount} peer(s) to answer our Delete.`);
  // A keep-alive status client must not hold the exit up.
  if (http) await Promise.race([http.close().catch(() => {}), new Promise((r) => driver.at(driver.now() + 500, r))]);
  await dataPlane?.close();
  await tun?.close();
  await driver.close();
  return EXIT.OK;
}

/** Opens the TUN device and sets its MTU, addresses and fixed routes; errors say what to do. */
async function openTunDevice(host: Host, t: NonNullable<LoadedConfig["program"]["tun"]>): Promise<TunDevice> {
  if (!host.openTun || !host.configureTun) throw new Error(`tun: this runtime (${host.runtime}) cannot open a TUN device`);
  let dev: TunDevice;
  try {
    dev = await host.openTun({ name: t.name, mtu: t.mtu });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`tun: cannot open the TUN device${t.name ? ` ${t.name}` : ""}: ${msg}` +
      (/CAP_NET_ADMIN|root|errno 1\b|errno 13\b/.test(msg) ? " — run as root (or with CAP_NET_ADMIN), or remove the tun section to negotiate SAs without traffic" : ""));
  }
  try {
    await host.configureTun(dev.name, { mtu: t.mtu, addresses: t.addresses });
    if (Array.isArray(t.routes)) for (const r of t.routes) await host.routeTun!(dev.name, "add", r);
  } catch (e) {
    await dev.close().catch(() => {});
    throw new Error(`tun: cannot configure ${dev.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return dev;
}

/** Loads only the chosen provider (the wasm kernels are not instantiated for native or js). */
async function loadProvider(name: "wasm" | "native" | "js", random: RandomSource, runtime?: string): Promise<CryptoProvider> {
  switch (name) {
    case "wasm": return (await import("../crypto/wasm/provider.ts")).createWasmProvider({ random });
    case "native": return (await import("../crypto/native/provider.ts")).createNativeProvider({ random, modpDhMaxBits: runtime === "bun" ? 4096 : undefined });
    case "js": return (await import("../crypto/js/provider.ts")).createJsProvider({ random });
  }
}

/**
 * Kernel buffers asked for the NAT-T sockets when they carry ESP: bursts of ESP (and the IKE messages
 * among them) wait there while our one thread works, instead of being dropped at 208 KiB.
 */
const SOCKET_BUFFER_BYTES = 4 << 20;

/** Binds the IKE and NAT-T sockets on every listen address; port 0 binds an ephemeral port once, then reuses it. */
async function openSockets(host: Host, listen: string[], port: number, nattPort: number, kind: ProgramKind, nattBuffer?: number): Promise<SocketBinding[]> {
  const out: SocketBinding[] = [];
  const ports = { ike: port, natt: nattPort };
  try {
    for (const natt of [false, true]) {
      for (const ip of listen) {
        const want = natt ? ports.natt : ports.ike;
        let s: UdpSocket;
        try {
          s = await host.openUdp({ ip, port: want }, natt && nattBuffer ? { bufferBytes: nattBuffer } : undefined);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          const hint = /EACCES|permission|denied/i.test(msg) && want > 0 && want < 1024
            ? `; ports below 1024 need root (or CAP_NET_BIND_SERVICE): set ${kind}.port and ${kind}.nattPort (e.g. 15500 and 15501) to run unprivileged`
            : /EADDRINUSE|in use/i.test(msg) ? "; another IKE daemon (charon, pluto) or a second instance may hold it" : "";
          throw new Error(`cannot listen on ${addr({ ip, port: want })} (UDP${natt ? ", NAT-T" : ""}): ${msg}${hint}`);
        }
        if (natt) ports.natt = s.local.port; else ports.ike = s.local.port;
        out.push({ socket: s, natt });
      }
    }
  } catch (e) {
    await Promise.all(out.map((b) => b.socket.close().catch(() => {})));
    throw e;
  }
  return out;
}

export function statusHandler(driver: Driver, meta: { program: string; runtime: string }, dp?: DataPlane, tun?: TunDevice): HttpHandler {
  return (method, path) => {
    if (method !== "GET" && method !== "HEAD") return { status: 405, contentType: "text/plain", body: "GET only\n" };
    switch (path) {
      case "/status": return { status: 200, contentType: "application/json", body: JSON.stringify(statusSnapshot(driver, meta, dp, tun), null, 2) + "\n" };
      case "/metrics": return { status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metricsText(driver, dp) };
      case "/": return { status: 200, contentType: "text/plain", body: `skeyseed ${meta.program}: GET /status (JSON), GET /metrics (Prometheus)\n` };
      default: return { status: 404, contentType: "text/plain", body: "not found: try /status or /metrics\n" };
    }
  };
}

async function statusCommand(kind: ProgramKind, host: Host, cli: CliArgs): Promise<number> {
  let res;
  try {
    res = await host.fetchText(cli.url + "/status");
  } catch (e) {
    host.stderr(`${kind} status: cannot reach ${cli.url}: ${e instanceof Error ? e.message : String(e)} (is the ${kind} running, with its status server enabled?)\n`);
    return EXIT.FAILURE;
  }
  if (res.status !== 200) { host.stderr(`${kind} status: ${cli.url}/status answered HTTP ${res.status}\n`); return EXIT.FAILURE; }
  if (cli.json) { host.stdout(res.body); return EXIT.OK; }
  let snap: StatusSnapshot;
  try { snap = JSON.parse(res.body); } catch { host.stderr(`${kind} status: ${cli.url}/status did not answer JSON\n`); return EXIT.FAILURE; }
  host.stdout(formatStatusTable(snap));
  return EXIT.OK;
}
