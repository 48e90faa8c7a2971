// The tunnel's plain-words account of what happened, for a person reading stderr: what went wrong
// and what to check, built from the engine's events and the connection's configuration.
import type { EndpointConfig } from "../engine/config.ts";
import type { EngineEvent } from "../engine/types.ts";
import { addr } from "../engine/endpoint.ts";
import { NotifyType, nameOf } from "../wire/iana.ts";
import type { KeeperNote } from "./keeper.ts";

const NO_PROPOSAL_CHOSEN = NotifyType.NO_PROPOSAL_CHOSEN as number;
const AUTHENTICATION_FAILED = NotifyType.AUTHENTICATION_FAILED as number;
const TS_UNACCEPTABLE = NotifyType.TS_UNACCEPTABLE as number;

/** The sources the words come from: the configuration and, for SA names, the current SAs. */
export interface ExplainContext {
  config: EndpointConfig;
  /** The connection name of an IKE SA id, when it is known. */
  connOfIke(ikeId: number): string | undefined;
  /** The proposals as written in the file (undefined: the default). */
  offers: Record<string, { ike?: string; esp: Record<string, string | undefined> }>;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** What to check after an authentication failure, after how this connection authenticates. */
function authAdvice(c: EndpointConfig["connections"][number], weRefused: boolean): string {
  const ids = "that the peer accepts our identity and we expect its identity (local.id / remote.id)";
  if (weRefused) {
    return c.remoteAuth.kind === "pubkey"
      ? `Check that the peer's certificate chains to remote.cacerts, is valid now, is not revoked, and names the identity it sends; and ${ids}.`
      : `Check that both sides use the same pre-shared key, and ${ids}.`;
  }
  return c.localAuth.kind === "pubkey"
    ? `Check that the peer trusts the CA of local.cert (and gets the intermediates it needs), that the certificate is valid now and names local.id, and ${ids}.`
    : `Check that both sides use the same pre-shared key, and ${ids}.`;
}

/** One or two sentences for an event, or undefined when it is not worth a line on stderr. */
export function explainEvent(e: EngineEvent, ctx: ExplainContext): string | undefined {
  const conn = (name: string) => ctx.config.connections.find((c) => c.name === name);
  switch (e.type) {
    case "ike-up": {
      const i = e.ike;
      return `${i.name}: IKE SA #${i.id} is up with ${addr(i.remote)} (${i.remoteId}), ${i.suite}${i.natLocal || i.natRemote ? ", behind NAT (UDP encapsulation on the NAT-T port)" : ""}.`;
    }
    case "ike-rekeyed": return `${e.ike.name}: IKE SA rekeyed: #${e.ike.id} replaces #${e.oldId}.`;
    case "child-up": {
      const c = e.child;
      const ts = `${c.ts.local.join(",")} === ${c.ts.remote.join(",")}`;
      return e.rekeyOf !== undefined
        ? `${c.name}: Child SA rekeyed: {${c.id}} replaces {${e.rekeyOf}} (SPIs in ${c.spiIn}, out ${c.spiOut}).`
        : `${c.name}: Child SA {${c.id}} is up: ${ts}, ESP ${c.suite}.`;
    }
    case "child-down":
      return e.reason === "rekeyed" ? undefined : `${e.name}: Child SA {${e.id}} closed${e.byPeer ? " by the peer" : ""}: ${e.reason}.`;
    case "ike-down":
      return e.byPeer ? `${e.name}: the peer closed IKE SA #${e.id} (${e.reason}).` : `${e.name}: IKE SA #${e.id} closed: ${e.reason}.`;
    case "peer-dead":
      return `${e.name}: ${e.peer} stopped answering (no reply to our retransmissions): the IKE SA is gone.`;
    case "auth-failed": {
      const c = conn(e.name);
      const ids = c ? ` ${authAdvice(c, e.local)}` : "";
      return e.local
        ? `${e.name}: authentication failed: the AUTH payload from ${e.peer} does not verify (${e.reason}).${ids}`
        : `${e.name}: authentication failed: ${e.peer} rejected our authentication (${e.reason}).${ids}`;
    }
    case "ike-failed": {
      if (e.notify === NO_PROPOSAL_CHOSEN) {
        const ike = ctx.offers[e.name]?.ike;
        return `${e.name}: ${e.peer} accepted none of our IKE proposals (NO_PROPOSAL_CHOSEN). We offered ${ike ? `"${ike}"` : "the default ike.proposals"}; make ike.proposals match the peer's.`;
      }
      if (e.notify === AUTHENTICATION_FAILED) {
        const c = conn(e.name);
        return `${e.name}: authentication failed: ${e.peer} rejected our authentication (AUTHENTICATION_FAILED). ${c ? authAdvice(c, false) : "Check the credentials and the identities (local.id / remote.id) on both sides."}`;
      }
      if (/^no answer/.test(e.reason)) {
        return `${e.name}: ${e.reason}. Is the peer running and listening on that address and port, and does UDP get through?`;
      }
      return `${e.name}: could not set up the IKE SA with ${e.peer}: ${e.reason}${e.notify !== undefined ? ` (${nameOf(NotifyType, e.notify)})` : ""}.`;
    }
    case "child-failed": {
      const connName = ctx.connOfIke(e.ikeId);
      const ch = connName ? conn(connName)?.children.find((x) => x.name === e.name) : undefined;
      if (e.notify === NO_PROPOSAL_CHOSEN) {
        const esp = connName ? ctx.offers[connName]?.esp[e.name] : undefined;
        return `${e.name}: the peer accepted none of our ESP proposals (NO_PROPOSAL_CHOSEN). We offered ${esp ? `"${esp}"` : "the default esp proposals"}; make the child's esp match the peer's.`;
      }
      if (e.notify === TS_UNACCEPTABLE) {
        return `${e.name}: the peer refused our traffic selectors (TS_UNACCEPTABLE)${ch ? `: we asked for ${ch.localTs.join(",")} === ${ch.remoteTs.join(",")}` : ""}. Make localTs/remoteTs fit what the peer allows.`;
      }
      return `${e.name}: could not set up the Child SA: ${e.reason}${e.notify !== undefined ? ` (${nameOf(NotifyType, e.notify)})` : ""}.`;
    }
    case "keylog": return undefined;
  }
}

export function explainNote(n: KeeperNote): string | undefined {
  switch (n.kind) {
    case "initiating": return n.attempt === 0 ? `${n.conn}: connecting...` : `${n.conn}: connecting again (attempt ${n.attempt + 1})...`;
    case "retry-scheduled": return `${n.child ?? n.conn}: ${n.child ? "creating the Child SA again" : "reconnecting"} in ${secs(n.inMs)} (after: ${n.why}).`;
    case "up": return undefined;
  }
}
