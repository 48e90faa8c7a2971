// Engine events as JSON-lines log records: one line per thing that happened to an SA, naming the SA,
// the peer and the reason. Keys in child-up never reach a log (keylog events go to their own sink).
import { addr } from "../engine/endpoint.ts";
import type { EngineEvent, LogLevel, LogRecord } from "../engine/types.ts";
import { NotifyType, nameOf } from "../wire/iana.ts";

const spiHex = (spi: number) => (spi >>> 0).toString(16).padStart(8, "0");
const notifyName = (n: number | undefined) => (n === undefined ? undefined : nameOf(NotifyType, n));

/** The log event name the engine uses for the same happening, and the SA name it logs it under. */
export function eventKey(e: EngineEvent): { event: string; sa?: string } | undefined {
  switch (e.type) {
    case "ike-up": return { event: "ike-up", sa: `${e.ike.name}[${e.ike.id}]` };
    case "ike-rekeyed": return { event: "ike-rekeyed", sa: `${e.ike.name}[${e.ike.id}]` };
    case "ike-down": return { event: "ike-down", sa: `${e.name}[${e.id}]` };
    case "ike-failed": return { event: "ike-failed", sa: `${e.name}[${e.id}]` };
    case "auth-failed": return { event: "auth-failed", sa: `${e.name}[${e.id}]` };
    case "peer-dead": return { event: "peer-dead", sa: `${e.name}[${e.id}]` };
    case "child-up": return { event: e.rekeyOf !== undefined ? "child-rekeyed" : "child-up", sa: `${e.child.name}{${e.child.id}}` };
    case "child-failed": return { event: "child-failed" };
    case "child-down": return { event: "child-down", sa: `${e.name}{${e.id}}` };
    case "keylog": return undefined;
  }
}

/** The level and fields an event contributes to its log line. */
export function eventFields(e: EngineEvent): { level: LogLevel; fields: Record<string, unknown> } {
  switch (e.type) {
    case "ike-up":
    case "ike-rekeyed": {
      const i = e.ike;
      return {
        level: "info",
        fields: {
          conn: i.name, ikeId: i.id, ...(e.type === "ike-rekeyed" ? { replaces: e.oldId } : {}), initiator: i.initiator,
          local: addr(i.local), peer: addr(i.remote), localId: i.localId, remoteId: i.remoteId, suite: i.suite, spiI: i.spiI, spiR: i.spiR,
          ...(i.natLocal || i.natRemote ? { nat: { local: i.natLocal, remote: i.natRemote } } : {}),
        },
      };
    }
    case "ike-down": return { level: "info", fields: { conn: e.name, ikeId: e.id, reason: e.reason, byPeer: e.byPeer } };
    case "ike-failed": return { level: "warn", fields: { conn: e.name, ikeId: e.id, peer: e.peer, reason: e.reason, ...(e.notify !== undefined ? { notify: notifyName(e.notify) } : {}) } };
    case "auth-failed": return { level: "warn", fields: { conn: e.name, ikeId: e.id, peer: e.peer, reason: e.reason, rejectedBy: e.local ? "us" : "peer" } };
    case "peer-dead": return { level: "warn", fields: { conn: e.name, ikeId: e.id, peer: e.peer } };
    case "child-up": {
      const c = e.child;
      return {
        level: "info",
        fields: { child: c.name, childId: c.id, ikeId: c.ikeId, ...(e.rekeyOf !== undefined ? { replaces: e.rekeyOf } : {}), spiIn: c.spiIn, spiOut: c.spiOut, suite: c.suite, localTs: c.ts.local, remoteTs: c.ts.remote },
      };
    }
    case "child-failed": return { level: "warn", fields: { child: e.name, ikeId: e.ikeId, reason: e.reason, ...(e.notify !== undefined ? { notify: notifyName(e.notify) } : {}) } };
    case "child-down": return { level: "info", fields: { child: e.name, childId: e.id, ikeId: e.ikeId, spiIn: spiHex(e.spiIn), spiOut: spiHex(e.spiOut), reason: e.reason, byPeer: e.byPeer } };
    case "keylog": return { level: "debug", fields: { format: e.format } };
  }
}

/**
 * Merges the engine's own log records of one call with the events of the same call: an event whose
 * happening the engine already logged enriches that line; the others get a line of their own.
 */
export function mergeEventLogs(records: LogRecord[], events: EngineEvent[]): LogRecord[] {
  const out = records.map((r) => ({ ...r }));
  const used = new Set<number>();
  for (const e of events) {
    const key = eventKey(e);
    if (!key) continue;
    const { level, fields } = eventFields(e);
    const i = out.findIndex((r, j) => !used.has(j) && r.event === key.event && (key.sa === undefined || r.sa === key.sa));
    if (i >= 0) {
      used.add(i);
      out[i] = { ...out[i], ...fields, level: out[i].level };
    } else {
      const line: LogRecord = { level, event: key.event, ...(key.sa ? { sa: key.sa } : {}), ...fields };
      out.push(line);
      used.add(out.length - 1);
    }
  }
  return out;
}
