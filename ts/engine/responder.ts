// The responder side of every exchange: a function of the request (and the SA's state) that builds
// the response. IKE_SA_INIT (§1.2, §2.6 cookies, INVALID_KE_PAYLOAD), IKE_AUTH (§1.2, §2.15, §2.9,
// RFC 6023), CREATE_CHILD_SA (§1.3, §2.8, §2.8.1, §2.18), INFORMATIONAL (§1.4, §1.4.1).
import { deriveChildKeys, deriveIkeKeys, deriveRekeyedIkeKeys, resolveIkeSuite, signedOctets } from "../crypto/keymat.ts";
import { identityEquals } from "../config/identity.ts";
import { WireError } from "../wire/errors.ts";
import { AuthMethod, ExchangeType, NotifyType, PayloadType, ProtocolId } from "../wire/iana.ts";
import type { AuthPayload, DeletePayload, IdPayload, KePayload, NoncePayload, NotifyPayload, Payload, SaPayload, TsPayload } from "../wire/payload.ts";
import type { ChildConfig, ConnectionConfig } from "./config.ts";
import { allCertReqAnchors, certReqPayloads, checkPeerAuth, ourAuthPayloads, recordPeerAnnouncements, sigHashNotify } from "./auth.ts";
import { type Endpoint, addr, exchangeName, notifyPayload } from "./endpoint.ts";
import { EngineError, authFailed, noProposal, peerError, tsUnacceptable } from "./errors.ts";
import { checkRules, encodePlain, type Outer } from "./msg.ts";
import { natHash, natVerdict } from "./natd.ts";
import { answerProposal, saPayload, selectProposal } from "./proposals.ts";
import { type ChildSa, type IkeSa, type Received, childName, saName, sk } from "./sa.ts";
import { narrow, resolveSelectorsFor, type TrafficSelector } from "./selectors.ts";
import { bodyOf, compareNonce, find, findNotify, idBody, inheritIke, minNonce, moveChildren, notifies, readU32, sharedSecret, u16, u32 } from "./tasks.ts";
import type { Datagram } from "./types.ts";

const NONCE_LEN = 32;

// ------------------------------------------------------------------ IKE_SA_INIT

/** Answers an IKE_SA_INIT request (or its retransmission); keeps no state until a cookie check passes. */
export function respondInit(ep: Endpoint, dg: Datagram, outer: Outer, now: number): void {
  const h = outer.header;
  const existing = ep.lookupInit(h.spiI, dg.remote);
  if (existing) {
    // §2.1: a retransmitted IKE_SA_INIT request gets the same response.
    if (existing.state.kind === "half-open" && existing.lastResponse) {
      ep.counters.retransmitsAnswered++;
      for (const d of existing.lastResponse.datagrams) ep.transmitTo(dg.local, dg.remote, d);
    } else ep.counters.duplicatesDropped++;
    return;
  }
  if (h.messageId !== 0 || h.spiR.some((b) => b !== 0)) { ep.counters.parseErrors++; return; }
  const ps = outer.payloads;
  const reply = (payloads: Payload[]) =>
    ep.transmitTo(dg.local, dg.remote, encodePlain({ spiI: h.spiI, spiR: new Uint8Array(8), exchangeType: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0 }, payloads));
  try {
    checkRules(ExchangeType.IKE_SA_INIT, false, ps, false);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    ep.counters.parseErrors++;
    ep.log({ level: "warn", event: "invalid-ike-sa-init", peer: addr(dg.remote), reason: e.message });
    reply([notifyPayload(NotifyType.INVALID_SYNTAX)]);
    return;
  }
  const sap = find<SaPayload>(ps, PayloadType.SA)!, ke = find<KePayload>(ps, PayloadType.KE)!, ni = find<NoncePayload>(ps, PayloadType.NONCE)!;
  // §2.6: past the half-open threshold, demand a cookie before keeping any state.
  if (ep.halfOpenCount >= ep.config.cookieThreshold) {
    const c = ps[0]?.type === PayloadType.N && (ps[0] as NotifyPayload).notifyType === NotifyType.COOKIE ? (ps[0] as NotifyPayload).data : undefined;
    const ip = ep.ipBytes(dg.remote.ip);
    if (!c || !ep.cookieJar.verify(c, ni.data, ip, h.spiI, now)) {
      ep.counters.cookiesSent++;
      reply([notifyPayload(NotifyType.COOKIE, ep.cookieJar.make(ni.data, ip, h.spiI, now))]);
      return;
    }
  }
  // Which connection: those whose peer address fits; the first with a matching proposal (§2.7).
  const candidates = ep.config.connections.filter((c) => !c.remoteAddress || c.remoteAddress === dg.remote.ip);
  let conn: ConnectionConfig | undefined, sel: ReturnType<typeof selectProposal>;
  for (const c of candidates) {
    sel = selectProposal(c.ikeProposals, sap.proposals, ProtocolId.IKE, { needKe: true, kePreference: ke.group });
    if (sel) { conn = c; break; }
  }
  if (!conn || !sel) {
    ep.log({ level: "warn", event: "no-proposal-chosen", peer: addr(dg.remote), reason: "none of the peer's IKE proposals matches our configuration" });
    reply([notifyPayload(NotifyType.NO_PROPOSAL_CHOSEN)]);
    return;
  }
  const chosen = sel.suite;
  if (ke.group !== chosen.ke) {
    // §1.2: tell the initiator which group we want; keep no state.
    ep.log({ level: "info", event: "invalid-ke-payload", peer: addr(dg.remote), reason: `peer sent KE for group ${ke.group}, we select ${chosen.ke}` });
    reply([notifyPayload(NotifyType.INVALID_KE_PAYLOAD, u16(chosen.ke!))]);
    return;
  }
  const share = ep.crypto.ke(chosen.ke!).generate();
  let secret: Uint8Array;
  try {
    secret = sharedSecret(share, ke);
  } catch (e) {
    share.dispose();
    ep.log({ level: "warn", event: "invalid-ke-value", peer: addr(dg.remote), reason: e instanceof Error ? e.message : String(e) });
    reply([notifyPayload(NotifyType.INVALID_SYNTAX)]);
    return;
  }
  const sa = ep.newIkeSa(conn, false, h.spiI.slice(), ep.newIkeSpi(), { ...dg.local }, { ...dg.remote }, now);
  const nr = ep.crypto.random(NONCE_LEN);
  const v = natVerdict(ep.crypto, sa.spiI, new Uint8Array(8), { ip: ep.ipBytes(dg.remote.ip), port: dg.remote.port }, { ip: ep.ipBytes(dg.local.ip), port: dg.local.port },
    notifies(ps).filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data), findNotify(ps, NotifyType.NAT_DETECTION_DESTINATION_IP)?.data);
  sa.natLocal = v.local; sa.natRemote = v.remote;
  sa.peerFragmentation = !!findNotify(ps, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) && ep.config.fragmentSize > 0;
  sa.peerChildless = !!findNotify(ps, NotifyType.CHILDLESS_IKEV2_SUPPORTED);
  const suite = resolveIkeSuite(ep.crypto, { encr: chosen.encr.id, encrKeyBits: chosen.encr.keyBits, prf: chosen.prf!, integ: chosen.integ });
  const keys = deriveIkeKeys(suite, ni.data, nr, secret, sa.spiI, sa.spiR);
  secret.fill(0);
  const out: Payload[] = [saPayload([answerProposal(sel, new Uint8Array(0))]), { type: PayloadType.KE, group: chosen.ke!, data: share.publicValue } as Payload, { type: PayloadType.NONCE, data: nr } as Payload];
  share.dispose();
  if (findNotify(ps, NotifyType.NAT_DETECTION_SOURCE_IP)) {
    // forceEncap (a userspace data plane receives ESP only in UDP): a source hash that cannot match
    // makes the initiator see us behind a NAT, so it moves to the NAT-T port and encapsulates
    // (RFC 3948 §2.1; strongSwan's encap=yes does the same).
    const src = ep.config.forceEncap ? ep.crypto.random(20) : natHash(ep.crypto, sa.spiI, sa.spiR, ep.ipBytes(dg.local.ip), dg.local.port);
    out.push(notifyPayload(NotifyType.NAT_DETECTION_SOURCE_IP, src));
    out.push(notifyPayload(NotifyType.NAT_DETECTION_DESTINATION_IP, natHash(ep.crypto, sa.spiI, sa.spiR, ep.ipBytes(dg.remote.ip), dg.remote.port)));
  }
  if (sa.peerFragmentation) out.push(notifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
  // RFC 7427 §4: announced only to a peer that announced its own; CERTREQ names every CA we trust (§3.7),
  // since the connection is chosen only in IKE_AUTH.
  recordPeerAnnouncements(ep, sa, ps, "init");
  if (sa.peerSigHashes) out.push(sigHashNotify());
  out.push(...certReqPayloads(allCertReqAnchors(ep.config.connections)));
  if (sa.peerChildless && conn.childless !== "never") out.push(notifyPayload(NotifyType.CHILDLESS_IKEV2_SUPPORTED));
  const msg2 = encodePlain({ spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0 }, out);
  const crypto = ep.makeCrypto(sa, chosen, suite, keys);
  sa.state = { kind: "half-open", sk: crypto, msg1: dg.data.slice(), msg2, ni: ni.data, nr, expiresAt: now + ep.config.halfOpenMs };
  sa.lastResponse = { messageId: 0, datagrams: [msg2], requestHash: "" };
  sa.nextPeerId = 1;
  ep.indexInit(sa, dg.remote);
  ep.transmitTo(dg.local, dg.remote, msg2);
  ep.log({ level: "debug", event: "ike-sa-init-answered", sa: saName(sa), peer: addr(dg.remote) });
}

// ------------------------------------------------------------------ protected requests

/** Dispatches an authenticated request to its exchange's responder. */
export function respondRequest(ep: Endpoint, sa: IkeSa, rx: Received, ps: Payload[], now: number): void {
  const { exchangeType, messageId } = rx.header;
  const dg = rx.dg as Datagram;
  let out: Payload[];
  try {
    switch (exchangeType) {
      case ExchangeType.IKE_AUTH: respondAuth(ep, sa, rx, ps, now); return;
      case ExchangeType.CREATE_CHILD_SA: out = respondCreateChild(ep, sa, ps, now); break;
      case ExchangeType.INFORMATIONAL: out = respondInformational(ep, sa, ps, now); break;
      default: throw new EngineError("peer-misbehaved", `unsupported exchange ${exchangeType}`, NotifyType.INVALID_SYNTAX);
    }
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    ep.log({ level: "warn", event: "request-refused", sa: saName(sa), peer: addr(dg.remote), exchange: exchangeName(exchangeType), reason: e.message });
    out = [notifyPayload(e.notify ?? NotifyType.INVALID_SYNTAX, e.notifyData)];
  }
  if (!ep.ikeById(sa.id) && exchangeType !== ExchangeType.INFORMATIONAL) return;
  ep.respond(sa, dg, exchangeType, messageId, out, now);
  if (doomed.has(sa)) { const reason = doomed.get(sa)!; doomed.delete(sa); ep.destroy(sa, reason.reason, true, { quiet: reason.quiet }); }
}

/** SAs to remove right after their response is sent (peer deleted them). */
const doomed = new WeakMap<IkeSa, { reason: string; quiet: boolean }>();

// ------------------------------------------------------------------ IKE_AUTH

function pickConnection(ep: Endpoint, sa: IkeSa, idi: { type: number; data: Uint8Array }, idr: { type: number; data: Uint8Array } | undefined, authMethod: number): ConnectionConfig | undefined {
  const chosen = sk(sa).chosen;
  const ok = (c: ConnectionConfig) =>
    (!c.remoteAddress || c.remoteAddress === sa.remote.ip) && (!idr || identityEquals(idr, c.localId)) &&
    c.ikeProposals.some((p) => p.encr.some((e) => e.id === chosen.encr.id && e.keyBits === chosen.encr.keyBits) && p.prf.includes(chosen.prf!) && p.ke.includes(chosen.ke!));
  // Among equals, a connection that expects the peer's kind of AUTH (pre-shared key or signature) first.
  const wantPsk = authMethod === AuthMethod.SHARED_KEY_MIC;
  const byAuth = [...ep.config.connections].sort((a, b) => Number((b.remoteAuth.kind === "psk") === wantPsk) - Number((a.remoteAuth.kind === "psk") === wantPsk));
  const exact = byAuth.find((c) => ok(c) && c.remoteId && identityEquals(c.remoteId, idi));
  return exact ?? byAuth.find((c) => ok(c) && !c.remoteId);
}

function respondAuth(ep: Endpoint, sa: IkeSa, rx: Received, ps: Payload[], now: number): void {
  const st = sa.state;
  const dg = rx.dg as Datagram;
  if (st.kind !== "half-open") {
    ep.respond(sa, dg, ExchangeType.IKE_AUTH, rx.header.messageId, [notifyPayload(NotifyType.INVALID_SYNTAX)], now);
    return;
  }
  const idiP = find<IdPayload>(ps, PayloadType.IDi)!, idrP = find<IdPayload>(ps, PayloadType.IDr), authP = find<AuthPayload>(ps, PayloadType.AUTH)!;
  const idi = { type: idiP.idType, data: idiP.data };
  const fail = (reason: string) => {
    // §2.21.2: AUTHENTICATION_FAILED in the IKE_AUTH response, then the SA is gone with nothing left behind.
    ep.counters.authFailures++;
    ep.log({ level: "warn", event: "auth-failed", sa: saName(sa), peer: addr(dg.remote), id: fmt(idi), reason });
    ep.emit({ type: "auth-failed", id: sa.id, name: sa.conn.name, peer: addr(dg.remote), reason, local: true });
    ep.respond(sa, dg, ExchangeType.IKE_AUTH, rx.header.messageId, [notifyPayload(NotifyType.AUTHENTICATION_FAILED)], now);
    ep.destroy(sa, reason, true, { quiet: true });
  };
  const conn = pickConnection(ep, sa, idi, idrP ? { type: idrP.idType, data: idrP.data } : undefined, authP.method);
  if (!conn) return fail(`no connection accepts peer identity ${fmt(idi)}${idrP ? ` asking for ${fmt({ type: idrP.idType, data: idrP.data })}` : ""}`);
  sa.conn = conn;
  recordPeerAnnouncements(ep, sa, ps, "auth");
  const prf = st.sk.suite.prf;
  const verdict = checkPeerAuth(ep, conn, ps, authP, idi, prf, signedOctets(prf, st.msg1, st.nr, st.sk.keys.sk_pi, bodyOf(ps, rx.bodies, idiP)));
  if (!verdict.ok) return fail(verdict.reason);
  if (verdict.detail) ep.log({ level: "info", event: "peer-authenticated", sa: saName(sa), peer: addr(dg.remote), id: fmt(idi), reason: verdict.detail });
  ep.setPeerId(sa, idi);
  // Our side: IDr, [CERT,] AUTH over RealMessage2 | Ni | prf(SK_pr, IDr').
  let ours: ReturnType<typeof ourAuthPayloads>;
  try {
    ours = ourAuthPayloads(ep, sa, conn, prf, signedOctets(prf, st.msg2, st.ni, st.sk.keys.sk_pr, idBody(conn.localId)));
  } catch (e) {
    return fail(`cannot sign our AUTH: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out: Payload[] = [{ type: PayloadType.IDr, idType: conn.localId.type, data: conn.localId.data } as Payload, ...ours.certs, ours.auth];
  sa.state = { kind: "established", sk: st.sk };
  let child: ChildSa | undefined;
  const sap = find<SaPayload>(ps, PayloadType.SA);
  if (sap) {
    try {
      child = acceptChild(ep, sa, ps, conn, undefined, st.ni, st.nr, false);
      out.push(saPayload([answerProposalFor(child)]), { type: PayloadType.TSi, selectors: child.tsRemote } as unknown as Payload, { type: PayloadType.TSr, selectors: child.tsLocal } as unknown as Payload);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      // §1.2: the IKE SA stands; the Child SA fails with the error notify.
      out.push(notifyPayload(e.notify ?? NotifyType.NO_PROPOSAL_CHOSEN));
      ep.emit({ type: "child-failed", ikeId: sa.id, name: conn.children[0]?.name ?? "", reason: e.message, notify: e.notify });
      ep.log({ level: "warn", event: "child-failed", sa: saName(sa), peer: addr(dg.remote), reason: e.message });
    }
  } else if (conn.childless === "never") {
    ep.log({ level: "info", event: "childless-ike-sa", sa: saName(sa), peer: addr(dg.remote), reason: "peer requested no Child SA (RFC 6023); allowed by the IKE SA" });
  }
  if (findNotify(ps, NotifyType.INITIAL_CONTACT)) initialContact(ep, sa, now);
  ep.respond(sa, dg, ExchangeType.IKE_AUTH, rx.header.messageId, out, now);
  ep.established(sa, now);
  if (child) ep.installChild(sa, child, now);
}

/**
 * INITIAL_CONTACT (§2.4): other IKE SAs with this peer identity are stale; remove them. Those are the
 * responder's SAs of the same connection with the same authenticated identity, from an index (a scan
 * of every SA here made each first IKE_AUTH of a peer cost O(SAs held)).
 */
function initialContact(ep: Endpoint, sa: IkeSa, now: number): void {
  void now;
  for (const other of ep.samePeer(sa)) ep.destroy(other, "replaced (INITIAL_CONTACT)", true);
}

function fmt(id: { type: number; data: Uint8Array }): string {
  return id.type === 1 || id.type === 5 ? [...id.data].join(id.type === 1 ? "." : ":") : new TextDecoder().decode(id.data);
}

function answerProposalFor(c: ChildSa): import("../wire/payload.ts").Proposal {
  return answerProposal({ proposal: { number: (c as ChildSa & { proposalNumber: number }).proposalNumber, protocolId: ProtocolId.ESP, spi: new Uint8Array(0), transforms: [] }, suite: c.chosen }, u32(c.spiIn));
}

/**
 * Responder side of a Child SA (IKE_AUTH or CREATE_CHILD_SA): selects an ESP proposal, narrows the
 * selectors (§2.9), runs the PFS key exchange when agreed, derives the keys (§2.17).
 * Returns the Child SA (not yet installed); throws EngineError with the notify to answer.
 */
function acceptChild(ep: Endpoint, sa: IkeSa, ps: Payload[], conn: ConnectionConfig, only: ChildConfig | undefined, ni: Uint8Array, nr: Uint8Array, createChildSa: boolean, pfsOut?: Payload[]): ChildSa {
  const sap = find<SaPayload>(ps, PayloadType.SA), tsiP = find<TsPayload>(ps, PayloadType.TSi), tsrP = find<TsPayload>(ps, PayloadType.TSr);
  if (!sap || !tsiP || !tsrP) throw peerError("Child SA request lacks SA, TSi or TSr");
  const tsi = tsiP.selectors.filter((t) => "startAddress" in t) as TrafficSelector[];
  const tsr = tsrP.selectors.filter((t) => "startAddress" in t) as TrafficSelector[];
  const configs = only ? [only] : conn.children;
  if (configs.length === 0) throw noProposal("this connection has no Child SA configured");
  let lastErr: EngineError = tsUnacceptable("no configured child accepts the peer's traffic selectors");
  for (const cfg of configs) {
    // TSi is the initiator's side: our remote selectors; TSr ours.
    const nTsi = narrow(tsi, resolveSelectorsFor(cfg.remoteTs, sa.remote.ip));
    const nTsr = narrow(tsr, resolveSelectorsFor(cfg.localTs, sa.conn.localAddress ?? sa.local.ip));
    if (nTsi.length === 0 || nTsr.length === 0) { lastErr = tsUnacceptable(`child ${cfg.name}: the peer's selectors are outside ours`); continue; }
    const ke = find<KePayload>(ps, PayloadType.KE);
    const sel = selectProposal(cfg.proposals, sap.proposals, ProtocolId.ESP, { needKe: false, kePreference: ke?.group });
    if (!sel) { lastErr = noProposal(`child ${cfg.name}: none of the peer's ESP proposals matches ours`); continue; }
    const spiOut = readU32(sel.proposal.spi);
    if (spiOut <= 0) throw peerError("Child SA proposal SPI is not 4 octets");
    let secret: Uint8Array | undefined;
    if (!createChildSa) sel.suite.ke = undefined; // no KE in IKE_AUTH (§1.2)
    else if (sel.suite.ke !== undefined) {
      if (!ke || ke.group !== sel.suite.ke) {
        throw new EngineError("incompatible", `child ${cfg.name}: PFS group ${sel.suite.ke} needs a KE payload for it`, NotifyType.INVALID_KE_PAYLOAD, u16(sel.suite.ke));
      }
      const share = ep.crypto.ke(sel.suite.ke).generate();
      secret = sharedSecret(share, ke);
      pfsOut?.push({ type: PayloadType.KE, group: sel.suite.ke, data: share.publicValue } as Payload);
      share.dispose();
    }
    const c = sk(sa);
    const encr = ep.crypto.encr(sel.suite.encr.id, sel.suite.encr.keyBits);
    const integ = sel.suite.integ ? ep.crypto.integ(sel.suite.integ) : undefined;
    const keys = deriveChildKeys(c.suite.prf, c.keys.sk_d, encr, integ, ni, nr, secret);
    secret?.fill(0);
    const child: ChildSa & { proposalNumber: number } = {
      id: ep.nextChildIdValue(), ikeId: sa.id, config: cfg, spiIn: ep.newChildSpi(), spiOut, chosen: sel.suite, keys, createdAsInitiator: false,
      tsLocal: nTsr, tsRemote: nTsi, state: { kind: "installed" }, establishedAt: 0, rekeyAt: Infinity, deleteAt: Infinity, nonces: [ni, nr],
      proposalNumber: sel.proposal.number,
    };
    return child;
  }
  throw lastErr;
}

// ------------------------------------------------------------------ CREATE_CHILD_SA

function respondCreateChild(ep: Endpoint, sa: IkeSa, ps: Payload[], now: number): Payload[] {
  if (sa.state.kind !== "established") throw new EngineError("temporary", `IKE SA is ${sa.state.kind}`, NotifyType.TEMPORARY_FAILURE);
  const sap = find<SaPayload>(ps, PayloadType.SA)!;
  const niP = find<NoncePayload>(ps, PayloadType.NONCE)!;
  if (sap.proposals.some((p) => p.protocolId === ProtocolId.IKE)) return respondIkeRekey(ep, sa, ps, now);
  const rekey = findNotify(ps, NotifyType.REKEY_SA);
  let old: ChildSa | undefined;
  if (rekey) {
    const spi = readU32(rekey.spi);
    old = [...sa.children.values()].find((c) => c.spiOut === spi);
    if (!old) throw new EngineError("incompatible", `REKEY_SA for unknown Child SA ${spi.toString(16)}`, NotifyType.CHILD_SA_NOT_FOUND);
    if (old.state.kind === "deleting" || old.state.kind === "rekeyed") throw new EngineError("temporary", `Child SA ${childName(old)} is ${old.state.kind}`, NotifyType.TEMPORARY_FAILURE);
  }
  const nr = ep.crypto.random(NONCE_LEN);
  const kePayloads: Payload[] = [];
  const child = acceptChild(ep, sa, ps, sa.conn, old?.config, niP.data, nr, true, kePayloads);
  if (old) { child.tsLocal = child.tsLocal.length ? child.tsLocal : old.tsLocal; }
  const out: Payload[] = [saPayload([answerProposalFor(child)]), { type: PayloadType.NONCE, data: nr } as Payload, ...kePayloads,
    { type: PayloadType.TSi, selectors: child.tsRemote } as unknown as Payload, { type: PayloadType.TSr, selectors: child.tsLocal } as unknown as Payload];
  ep.installChild(sa, child, now, old?.id);
  if (old) {
    if (old.state.kind === "rekeying") {
      // §2.8.1: we are rekeying the same Child SA; decide when our own response arrives.
      sa.peerChildRekeys.set(old.id, { newId: child.id, nonces: child.nonces });
      ep.log({ level: "info", event: "child-rekey-collision", sa: childName(old), peer: addr(sa.remote), reason: "both sides rekey this Child SA; the lowest nonce decides (RFC 7296 §2.8.1)" });
    } else old.state = { kind: "rekeyed", successor: child.id, expiresAt: now + 60_000 };
  }
  return out;
}

function respondIkeRekey(ep: Endpoint, sa: IkeSa, ps: Payload[], now: number): Payload[] {
  const st = sa.state;
  if (st.kind !== "established") throw new EngineError("temporary", "IKE SA not established", NotifyType.TEMPORARY_FAILURE);
  // §2.8.2 / RFC 7296 §2.25: no IKE rekey while Child SA exchanges of ours are in progress.
  if (sa.outstanding && sa.outstanding.task.name !== "ike-rekey" && sa.outstanding.exchangeType === ExchangeType.CREATE_CHILD_SA) {
    throw new EngineError("temporary", "a Child SA exchange is in progress", NotifyType.TEMPORARY_FAILURE);
  }
  const sap = find<SaPayload>(ps, PayloadType.SA)!, ke = find<KePayload>(ps, PayloadType.KE), ni = find<NoncePayload>(ps, PayloadType.NONCE)!;
  if (!ke) throw peerError("IKE rekey request lacks KE");
  const sel = selectProposal(sa.conn.ikeProposals, sap.proposals, ProtocolId.IKE, { needKe: true, kePreference: ke.group });
  if (!sel) throw noProposal("none of the peer's IKE rekey proposals matches ours");
  if (sel.suite.ke !== ke.group) throw new EngineError("incompatible", `IKE rekey KE is for group ${ke.group}, we want ${sel.suite.ke}`, NotifyType.INVALID_KE_PAYLOAD, u16(sel.suite.ke!));
  if (sel.proposal.spi.length !== 8) throw peerError("IKE rekey proposal SPI is not 8 octets");
  const share = ep.crypto.ke(sel.suite.ke!).generate();
  const secret = sharedSecret(share, ke);
  const nr = ep.crypto.random(NONCE_LEN);
  const ourSpi = ep.newIkeSpi();
  const suite = resolveIkeSuite(ep.crypto, { encr: sel.suite.encr.id, encrKeyBits: sel.suite.encr.keyBits, prf: sel.suite.prf!, integ: sel.suite.integ });
  const keys = deriveRekeyedIkeKeys(st.sk.suite.prf, st.sk.keys.sk_d, suite, secret, ni.data, nr, sel.proposal.spi, ourSpi);
  secret.fill(0);
  const nsa = ep.newIkeSa(sa.conn, false, sel.proposal.spi.slice(), ourSpi, { ...sa.local }, { ...sa.remote }, now);
  inheritIke(ep, nsa, sa);
  nsa.nonces = [ni.data, nr];
  nsa.state = { kind: "established", sk: ep.makeCrypto(nsa, sel.suite, suite, keys) };
  const out: Payload[] = [saPayload([answerProposal(sel, ourSpi)]), { type: PayloadType.NONCE, data: nr } as Payload, { type: PayloadType.KE, group: sel.suite.ke!, data: share.publicValue } as Payload];
  share.dispose();
  if (sa.rekeying) {
    // Collision (§2.8.2): decided when our own rekey's response arrives.
    sa.peerRekey = { newId: nsa.id, nonces: nsa.nonces };
    nsa.establishedAt = now;
    ep.log({ level: "info", event: "ike-rekey-collision", sa: saName(sa), peer: addr(sa.remote), reason: "both sides rekey this IKE SA; the lowest nonce decides (RFC 7296 §2.8.2)" });
  } else {
    moveChildren(sa, nsa);
    ep.established(nsa, now, sa.id);
    sa.state = { kind: "rekeyed", sk: st.sk, successor: nsa.id, expiresAt: now + 60_000 };
    sa.replacedBy = nsa.id;
    // Our queued work continues on the new SA.
    nsa.queue.push(...sa.queue.filter((t) => t.name !== "ike-rekey" && t.name !== "dpd"));
    sa.queue.length = 0;
  }
  return out;
}

// ------------------------------------------------------------------ INFORMATIONAL

function respondInformational(ep: Endpoint, sa: IkeSa, ps: Payload[], now: number): Payload[] {
  const out: Payload[] = [];
  for (const p of ps) {
    if (p.type === PayloadType.D) {
      const d = p as DeletePayload;
      if (d.protocolId === ProtocolId.IKE) {
        // §1.4.1: the IKE SA and all its Child SAs go; answer with an empty INFORMATIONAL.
        const quiet = sa.state.kind === "rekeyed" || sa.replacedBy !== undefined || sa.redundant === true;
        doomed.set(sa, { reason: quiet ? "rekeyed" : "deleted by peer", quiet });
        if (quiet && sa.children.size) {
          const succ = ep.ikeById(sa.replacedBy ?? (sa.state.kind === "rekeyed" ? sa.state.successor : -1));
          if (succ) moveChildren(sa, succ);
        }
        ep.log({ level: "info", event: quiet ? "old-ike-sa-deleted" : "ike-delete-by-peer", sa: saName(sa), peer: addr(sa.remote) });
        return [];
      }
      if (d.protocolId === ProtocolId.ESP || d.protocolId === ProtocolId.AH) {
        const ours: Uint8Array[] = [];
        for (const spiB of d.spis) {
          const spi = readU32(spiB);
          const c = [...sa.children.values()].find((x) => x.spiOut === spi);
          if (!c) continue;
          // §1.4.1: if we are deleting it too, do not list it in the response.
          if (c.state.kind !== "deleting") ours.push(u32(c.spiIn));
          ep.removeChild(sa, c, c.state.kind === "rekeyed" ? "rekeyed" : "deleted by peer", true);
        }
        if (ours.length) out.push({ type: PayloadType.D, protocolId: d.protocolId, spiSize: 4, spis: ours } as Payload);
      }
    } else if (p.type === PayloadType.N) {
      const n = p as NotifyPayload;
      if (n.notifyType === NotifyType.AUTHENTICATION_FAILED) {
        // §2.21.2: the initiator did not accept our AUTH; the IKE SA is void.
        ep.counters.authFailures++;
        ep.emit({ type: "auth-failed", id: sa.id, name: sa.conn.name, peer: addr(sa.remote), reason: "the peer rejected our AUTH (AUTHENTICATION_FAILED)", local: false });
        doomed.set(sa, { reason: "the peer refused our authentication", quiet: false });
      }
      ep.log({ level: n.notifyType < 16384 ? "warn" : "debug", event: "peer-notify", sa: saName(sa), peer: addr(sa.remote), notify: n.notifyType });
    }
  }
  return out;
}

