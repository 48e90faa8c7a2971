// "Node library" side of the strongSwan interop suite: a small program that uses skeyseed as a
// library (ts/index.ts, the same code dist/index.js is built from) over Node's UDP adapter, and takes
// engine commands as JSON lines on stdin, so a test can start every exchange from our side.
//
//   node node-peer.mjs CONFIG.json          CONFIG: { listen, port, nattPort, keyLogDir?, endpoint: EndpointInput }
//   stdin:  {"cmd":"initiate","conn":"c"} | {"cmd":"rekeyChild"} | {"cmd":"rekeyIke"} | {"cmd":"checkLiveness"}
//           {"cmd":"createChild","child":"net"} | {"cmd":"deleteChild"} | {"cmd":"deleteIke"} | {"cmd":"status"}
//           (commands act on the newest IKE SA / Child SA unless "id" is given)
//   stdout: the driver's JSON-lines log, plus {"event":"status","snapshot":{...}} and
//           {"event":"command-done"|"command-failed","cmd":...} for each command.
import { readFileSync, appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Driver, createWasmProvider, resolveConfig, statusSnapshot, type LogLine } from "../../ts/index.ts";
import { openUdp } from "../../runtimes/node/udp.ts";
import { clock, random } from "../../runtimes/shared/web.ts";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const write = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");

const sockets = [
  { socket: await openUdp({ ip: cfg.listen, port: cfg.port }), natt: false },
  { socket: await openUdp({ ip: cfg.listen, port: cfg.nattPort }), natt: true },
];
const driver = new Driver({
  config: { ...resolveConfig(cfg.endpoint), ports: { ike: cfg.port, natt: cfg.nattPort } },
  crypto: createWasmProvider({ random }), sockets, clock, logLevel: "debug",
  write: (l: LogLine) => write(l),
  onKeylog: cfg.keyLogDir ? (line, format) => appendFileSync(`${cfg.keyLogDir}/${format}`, line + "\n") : undefined,
});
write({ event: "listening", level: "info", ike: `${cfg.listen}:${cfg.port}`, natt: `${cfg.listen}:${cfg.nattPort}` });

const newest = <T extends { id: number }>(list: T[]) => list.reduce<T | undefined>((a, b) => (!a || b.id > a.id ? b : a), undefined);

function command(c: { cmd: string; conn?: string; child?: string; id?: number }): void {
  const ep = driver.endpoint;
  const ike = () => { const i = c.id ?? newest(ep.ikeSas())?.id; if (i === undefined) throw new Error("no IKE SA"); return i; };
  const child = () => { const i = c.id ?? newest(ep.childSas())?.id; if (i === undefined) throw new Error("no Child SA"); return i; };
  switch (c.cmd) {
    case "initiate": driver.run((e, now) => e.initiate(c.conn!, now)); break;
    case "createChild": { const id = ike(); driver.run((e, now) => e.createChild(id, c.child!, now)); break; }
    case "rekeyChild": { const id = child(); driver.run((e, now) => e.rekeyChild(id, now)); break; }
    case "rekeyIke": { const id = ike(); driver.run((e, now) => e.rekeyIke(id, now)); break; }
    case "checkLiveness": { const id = ike(); driver.run((e, now) => e.checkLiveness(id, now)); break; }
    case "deleteChild": { const id = child(); driver.run((e, now) => e.deleteChild(id, now)); break; }
    case "deleteIke": { const id = ike(); driver.run((e, now) => e.deleteIke(id, now)); break; }
    case "status": write({ event: "status", level: "info", snapshot: statusSnapshot(driver, { program: "node-peer", runtime: "node" }) }); return;
    case "exit": driver.close().then(() => process.exit(0)); return;
    default: throw new Error(`unknown command ${c.cmd}`);
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  let c;
  try {
    c = JSON.parse(line);
    command(c);
    write({ event: "command-done", level: "info", cmd: c.cmd });
  } catch (e) {
    write({ event: "command-failed", level: "error", cmd: c?.cmd, reason: e instanceof Error ? e.message : String(e) });
  }
});
process.on("SIGTERM", () => { driver.close().then(() => process.exit(0)); });
