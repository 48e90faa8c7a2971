// The exchanges we initiate, each built from small tasks (STYLE: strongSwan sa/ikev2/tasks):
// nonce and KE, NAT detection, authentication, child creation, rekeying, deletion, liveness.
// Each Task builds its request when it starts and processes the response; the responder side of the
// same concerns lives in responder.ts.
import { CryptoError } from "../crypto/errors.ts";
import { deriveChildKeys, deriveIkeKeys, deriveRekeyedIkeKeys, resolveIkeSuite, signedOctets } from "../crypto/keymat.ts";
import type { KeyShare } from "../crypto/types.ts";
import { identityEquals } from "../config/identity.ts";
import { ExchangeType, NotifyType, PayloadType, ProtocolId, isErrorNotify, nameOf } from "../wire/iana.ts";
import type { IdPayload, NotifyPayload, Payload, Proposal, SaPayload, TsPayload, KePayload, NoncePayload, AuthPayload, DeletePayload } from "../wire/payload.ts";
import type { ChildConfig, ConnectionConfig } from "./config.ts";
import { certReqAnchors, certReqPayloads, checkPeerAuth, ourAuthPayloads, recordPeerAnnouncements, sigHashNotify } from "./auth.ts";
import { type Endpoint, addr, notifyPayload } from "./endpoint.ts";
import { EngineError, authFailed, noProposal, peerError } from "./errors.ts";
import { natHash, natVerdict } from "./natd.ts";
import { buildProposals, checkAnswer, saPayload, type ChosenSuite } from "./proposals.ts";
import { type ChildSa, type IkeSa, type Received, type Task, childName, saName, sk } from "./sa.ts";
import { isSubset, resolveSelectorsFor, type TrafficSelector } from "./selectors.ts";

const NONCE_LEN = 32;

// ------------------------------------------------------------------ payload helpers

export const find = <T extends Payload>(ps: Payload[], type: number): T | undefined => ps.find((p) => p.type === type) as T | undefined;
export const notifies = (ps: Payload[]): NotifyPayload[] => ps.filter((p) => p.type === PayloadType.N) as NotifyPayload[];
export const findNotify = (ps: Payload[], t: number): NotifyPayload | undefined => notifies(ps).find((n) => n.notifyType === t);
export const firstError = (ps: Payload[]): NotifyPayload | undefined => notifies(ps).find((n) => isErrorNotify(n.notifyType));
export const notifyName = (t: number): string => nameOf(NotifyType, t);

export function u16(n: number): Uint8Array { return new Uint8Array([n >> 8, n & 0xff]); }
export function u32(n: number): Uint8Array { return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]); }
export function readU32(b: Uint8Array): number { return b.length === 4 ? ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0 : -1; }
export function compareNonce(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
/** The lower of two nonces. */
export function minNonce(p: [Uint8Array, Uint8Array]): Uint8Array { return compareNonce(p[0], p[1]) <= 0 ? p[0] : p[1]; }

/** RestOfIDPayload (§2.15): ID Type, three RESERVED octets, Identification Data. */
export function idBody(id: { type: number; data: Uint8Array }): Uint8Array {
  const b = new Uint8Array(4 + id.data.length);
  b[0] = id.type;
  b.set(id.data, 4);
  return b;
}

/** The body of payload `p` as received, from the inner chain bodies. */
export function bodyOf(ps: Payload[], bodies: Uint8Array[], p: Payload): Uint8Array {
  const i = ps.indexOf(p);
  if (i < 0 || !bodies[i]) throw new Error("payload body not found");
  return bodies[i];
}

/** Key exchange: validates and computes, turning crypto errors into the peer's fault. */
export function sharedSecret(share: KeyShare, ke: KePayload): Uint8Array {
  if (ke.group !== share.group) throw peerError(`KE payload is for group ${ke.group}, expected ${share.group}`);
  try {
    return share.computeShared(ke.data);
  } catch (e) {
    if (e instanceof CryptoError) throw peerError(`invalid key exchange value: ${e.message}`);
    throw e;
  }
}

function errorFrom(n: NotifyPayload, what: string, conn?: ConnectionConfig): EngineError {
  const name = notifyName(n.notifyType);
  switch (n.notifyType) {
    case NotifyType.AUTHENTICATION_FAILED: return authFailed(`${what}: the peer refused our authentication (AUTHENTICATION_FAILED): ${conn?.localAuth.kind === "pubkey"
      ? "check that the peer trusts our certificate's CA, that our certificate is valid and holds our identity, and that the peer expects it"
      : "check the PSK and identities on both sides"}`);
    case NotifyType.NO_PROPOSAL_CHOSEN: return new EngineError("incompatible", `${what}: the peer accepted none of our proposals (NO_PROPOSAL_CHOSEN)`, n.notifyType);
    case NotifyType.TS_UNACCEPTABLE: return new EngineError("incompatible", `${what}: the peer refused our traffic selectors (TS_UNACCEPTABLE)`, n.notifyType);
    default: return new EngineError("peer-misbehaved", `${what}: the peer answered ${name}`, n.notifyType);
  }
}

// ------------------------------------------------------------------ IKE_SA_INIT (initiator)

/** Nonce/KE + NAT detection + capability notifies for IKE_SA_INIT (§1.2, §2.10, §2.23, RFC 7383, RFC 7427, RFC 6023). */
export class IkeInitTask implements Task {
  readonly name = "ike-init";
  readonly exchangeType = ExchangeType.IKE_SA_INIT;
  constructor(private readonly ep: Endpoint, private readonly group?: number, private readonly cookie?: Uint8Array, private readonly retries = 0,
    /** §2.6: a retry with a cookie repeats the request unchanged (same nonce and key share). */
    private readonly reuse?: { ni: Uint8Array; share: KeyShare }) {}

  build(sa: IkeSa): Payload[] {
    if (sa.state.kind !== "init-sent") return null as never;
    const conn = sa.conn;
    const group = this.group ?? conn.ikeProposals[0].ke[0];
    const share = this.reuse?.share ?? this.ep.crypto.ke(group).generate();
    const ni = this.reuse?.ni ?? this.ep.crypto.random(NONCE_LEN);
    const offered = buildProposals(conn.ikeProposals, ProtocolId.IKE, new Uint8Array(0), { withKe: true, firstKe: group });
    if (sa.state.share && sa.state.share !== share) sa.state.share.dispose?.();
    sa.state = { kind: "init-sent", ni, share, offered, cookie: this.cookie, keRetries: this.retries };
    sa.nextOwnId = 0;
    const out: Payload[] = [];
    // §2.6: the COOKIE notify comes first.
    if (this.cookie) out.push(notifyPayload(NotifyType.COOKIE, this.cookie));
    out.push(saPayload(offered));
    out.push({ type: PayloadType.KE, group, data: share.publicValue } as Payload);
    out.push({ type: PayloadType.NONCE, data: ni } as Payload);
    out.push(...natNotifies(this.ep, sa));
    if (this.ep.config.fragmentSize > 0) out.push(notifyPayload(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    out.push(sigHashNotify());
    if (conn.childless !== "never") out.push(notifyPayload(NotifyType.CHILDLESS_IKEV2_SUPPORTED));
    return out;
  }

  onResponse(sa: IkeSa, ps: Payload[], now: number, rx: Received): void {
    const st = sa.state;
    if (st.kind !== "init-sent") return;
    const cookie = findNotify(ps, NotifyType.COOKIE);
    if (cookie) {
      // §2.6: retry with the cookie, same SPIi, a new nonce and key share is fine.
      if (this.retries >= 3) throw peerError("the responder keeps asking for a cookie");
      this.ep.log({ level: "info", event: "cookie-requested", sa: saName(sa), peer: addr(sa.remote) });
      sa.queue.unshift(new IkeInitTask(this.ep, st.share.group, cookie.data, this.retries + 1, { ni: st.ni, share: st.share }));
      return;
    }
    const invalidKe = findNotify(ps, NotifyType.INVALID_KE_PAYLOAD);
    if (invalidKe) {
      // §1.2: retry with the group the responder asks for, if we offered it.
      const g = invalidKe.data.length === 2 ? (invalidKe.data[0] << 8) | invalidKe.data[1] : -1;
      const offered = sa.conn.ikeProposals.some((p) => p.ke.includes(g));
      if (!offered || g === st.share.group || this.retries >= 3) throw noProposal(`the responder asked for key exchange group ${g}, which we ${offered ? "already sent" : "did not offer"} (INVALID_KE_PAYLOAD)`);
      this.ep.log({ level: "info", event: "invalid-ke-retry", sa: saName(sa), peer: addr(sa.remote), group: g, reason: `responder wants group ${g} instead of ${st.share.group}` });
      sa.queue.unshift(new IkeInitTask(this.ep, g, st.cookie, this.retries + 1));
      return;
    }
    const err = firstError(ps);
    if (err) throw errorFrom(err, "IKE_SA_INIT");
    const sap = find<SaPayload>(ps, PayloadType.SA), ke = find<KePayload>(ps, PayloadType.KE), nr = find<NoncePayload>(ps, PayloadType.NONCE);
    if (!sap || !ke || !nr) throw peerError("IKE_SA_INIT response lacks SA, KE or Nonce");
    const chosen = checkAnswer(st.offered, sap, ProtocolId.IKE);
    if (typeof chosen === "string") throw noProposal(`IKE_SA_INIT response: ${chosen}`);
    if (chosen.ke !== st.share.group) throw peerError(`the responder chose group ${chosen.ke} but our KE was for ${st.share.group} without INVALID_KE_PAYLOAD`);
    const secret = sharedSecret(st.share, ke);
    st.share.dispose();
    sa.spiR = rx.header.spiR.slice();
    // NAT detection (§2.23) and the capabilities the responder announced.
    const v = natVerdict(this.ep.crypto, sa.spiI, sa.spiR, { ip: this.ep.ipBytes(rx.dg.remote.ip), port: rx.dg.remote.port }, { ip: this.ep.ipBytes(sa.local.ip), port: sa.local.port },
      notifies(ps).filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data), findNotify(ps, NotifyType.NAT_DETECTION_DESTINATION_IP)?.data);
    sa.natLocal = v.local; sa.natRemote = v.remote;
    sa.peerFragmentation = !!findNotify(ps, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) && this.ep.config.fragmentSize > 0;
    sa.peerChildless = !!findNotify(ps, NotifyType.CHILDLESS_IKEV2_SUPPORTED);
    recordPeerAnnouncements(this.ep, sa, ps, "init");
    const hasNatD = !!findNotify(ps, NotifyType.NAT_DETECTION_DESTINATION_IP);
    if (hasNatD && (v.local || v.remote || this.ep.config.forceEncap)) this.ep.floatToNatt(sa);
    const suite = resolveIkeSuite(this.ep.crypto, { encr: chosen.encr.id, encrKeyBits: chosen.encr.keyBits, prf: chosen.prf!, integ: chosen.integ });
    const keys = deriveIkeKeys(suite, st.ni, nr.data, secret, sa.spiI, sa.spiR);
    secret.fill(0);
    const crypto = this.ep.makeCrypto(sa, chosen, suite, keys);
    const msg1 = sa.lastSentInit!;
    sa.state = { kind: "auth-sent", sk: crypto, msg1, msg2: rx.dg.data.slice(), ni: st.ni, nr: nr.data };
    sa.queue.unshift(new IkeAuthTask(this.ep));
    void now;
  }
}

function natNotifies(ep: Endpoint, sa: IkeSa): Payload[] {
  const src = natHash(ep.crypto, sa.spiI, sa.spiR, ep.ipBytes(sa.local.ip), sa.local.port);
  const dst = natHash(ep.crypto, sa.spiI, sa.spiR, ep.ipBytes(sa.remote.ip), sa.remote.port);
  return [notifyPayload(NotifyType.NAT_DETECTION_SOURCE_IP, src), notifyPayload(NotifyType.NAT_DETECTION_DESTINATION_IP, dst)];
}

export { natNotifies };

// ------------------------------------------------------------------ IKE_AUTH (initiator)

/** Identities + PSK AUTH + the first Child SA (§1.2, §2.15, RFC 6023). */
export class IkeAuthTask implements Task {
  readonly name = "ike-auth";
  readonly exchangeType = ExchangeType.IKE_AUTH;
  private child?: { config: ChildConfig; spiIn: number; offered: Proposal[]; tsi: TrafficSelector[]; tsr: TrafficSelector[] };
  constructor(private readonly ep: Endpoint) {}

  build(sa: IkeSa, now: number): Payload[] | null {
    const st = sa.state;
    if (st.kind !== "auth-sent") return null;
    const conn = sa.conn;
    const prf = st.sk.suite.prf;
    const idi: IdPayload = { type: PayloadType.IDi, idType: conn.localId.type, data: conn.localId.data };
    const octets = signedOctets(prf, st.msg1, st.nr, st.sk.keys.sk_pi, idBody(conn.localId));
    let auth: ReturnType<typeof ourAuthPayloads>;
    try {
      auth = ourAuthPayloads(this.ep, sa, conn, prf, octets);
    } catch (e) {
      // No signature the peer can verify (e.g. EdDSA without Identity in its SIGNATURE_HASH_ALGORITHMS).
      this.ep.failExchange(sa, this, authFailed(`cannot sign our AUTH: ${e instanceof Error ? e.message : String(e)}`), now);
      return null;
    }
    // §1.2: IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr.
    const out: Payload[] = [idi as Payload, ...auth.certs, ...certReqPayloads(certReqAnchors(conn))];
    if (conn.initialContact) out.push(notifyPayload(NotifyType.INITIAL_CONTACT));
    if (conn.remoteId) out.push({ type: PayloadType.IDr, idType: conn.remoteId.type, data: conn.remoteId.data } as Payload);
    out.push(auth.auth);
    const cfg = conn.children[0];
    const childless = !cfg || (conn.childless === "force" && sa.peerChildless);
    if (!childless) {
      const spiIn = this.ep.newChildSpi();
      const offered = buildProposals(cfg.proposals, ProtocolId.ESP, u32(spiIn), { withKe: false });
      const tsi = resolveSelectorsFor(cfg.localTs, sa.conn.localAddress ?? sa.local.ip);
      const tsr = resolveSelectorsFor(cfg.remoteTs, sa.remote.ip);
      this.child = { config: cfg, spiIn, offered, tsi, tsr };
      out.push(saPayload(offered));
      out.push({ type: PayloadType.TSi, selectors: tsi } as unknown as Payload);
      out.push({ type: PayloadType.TSr, selectors: tsr } as unknown as Payload);
    }
    return out;
  }

  onResponse(sa: IkeSa, ps: Payload[], now: number, rx: Received): void {
    const st = sa.state;
    if (st.kind !== "auth-sent") return;
    const idr = find<IdPayload>(ps, PayloadType.IDr), auth = find<AuthPayload>(ps, PayloadType.AUTH);
    if (!idr || !auth) {
      if (this.child) this.ep.releaseChildSpi(this.child.spiIn);
      const err = firstError(ps);
      if (err) throw errorFrom(err, "IKE_AUTH", sa.conn);
      throw peerError("IKE_AUTH response lacks IDr or AUTH");
    }
    const peerId = { type: idr.idType, data: idr.data };
    if (sa.conn.remoteId && !identityEquals(sa.conn.remoteId, peerId)) {
      this.authFail(sa, now, `the responder identified as ${fmtId(peerId)}, not the expected ${fmtId(sa.conn.remoteId)}`);
    }
    const prf = st.sk.suite.prf;
    const octets = signedOctets(prf, st.msg2, st.ni, st.sk.keys.sk_pr, bodyOf(ps, rx.bodies, idr));
    const verdict = checkPeerAuth(this.ep, sa.conn, ps, auth, peerId, prf, octets);
    if (!verdict.ok) this.authFail(sa, now, verdict.reason.replace(/^the peer/, "the responder"));
    if (verdict.detail) this.ep.log({ level: "info", event: "peer-authenticated", sa: saName(sa), peer: addr(sa.remote), id: fmtId(peerId), reason: verdict.detail });
    this.ep.setPeerId(sa, peerId);
    sa.state = { kind: "established", sk: st.sk };
    this.ep.established(sa, now);
    if (this.child) {
      const c = this.child;
      try {
        const err = firstError(ps);
        if (err) throw errorFrom(err, `child ${c.config.name}`);
        const child = completeChild(this.ep, sa, ps, c.config, c.spiIn, c.offered, c.tsi, c.tsr, st.ni, st.nr, undefined, true);
        this.ep.installChild(sa, child, now);
      } catch (e) {
        this.ep.releaseChildSpi(c.spiIn);
        const reason = e instanceof Error ? e.message : String(e);
        this.ep.emit({ type: "child-failed", ikeId: sa.id, name: c.config.name, reason, notify: e instanceof EngineError ? e.notify : undefined });
        this.ep.log({ level: "warn", event: "child-failed", sa: saName(sa), peer: addr(sa.remote), reason });
      }
    }
    for (const cfg of sa.conn.children.slice(this.child ? 1 : 0)) sa.queue.push(new ChildCreateTask(this.ep, cfg));
  }

  private authFail(sa: IkeSa, now: number, reason: string): never {
    // §2.21.2: tell the responder in an INFORMATIONAL, then forget the SA.
    if (this.child) this.ep.releaseChildSpi(this.child.spiIn);
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.INFORMATIONAL, initiator: sa.initiator, response: false, messageId: sa.nextOwnId++ };
    this.ep.transmit(sa, this.ep.protect(sa, header, [notifyPayload(NotifyType.AUTHENTICATION_FAILED)]));
    void now;
    // We refused the responder (auth-failed with local: true), as opposed to its AUTHENTICATION_FAILED.
    throw Object.assign(authFailed(reason), { refusedByUs: true });
  }
}

function fmtId(id: { type: number; data: Uint8Array }): string {
  return id.type === 1 || id.type === 5 ? [...id.data].join(id.type === 1 ? "." : ":") : new TextDecoder().decode(id.data);
}

/**
 * Initiator side of a Child SA answer (IKE_AUTH or CREATE_CHILD_SA): checks SA and TS against what we
 * offered (§2.7, §2.9) and derives the keys (§2.17).
 */
export function completeChild(ep: Endpoint, sa: IkeSa, ps: Payload[], config: ChildConfig, spiIn: number, offered: Proposal[], tsi: TrafficSelector[], tsr: TrafficSelector[],
  ni: Uint8Array, nr: Uint8Array, pfsSecret: Uint8Array | undefined, asInitiator: boolean): ChildSa {
  const sap = find<SaPayload>(ps, PayloadType.SA), tsiP = find<TsPayload>(ps, PayloadType.TSi), tsrP = find<TsPayload>(ps, PayloadType.TSr);
  if (!sap || !tsiP || !tsrP) throw peerError("the answer lacks SA, TSi or TSr for the Child SA");
  const chosen = checkAnswer(offered, sap, ProtocolId.ESP);
  if (typeof chosen === "string") throw noProposal(`child ${config.name}: ${chosen}`);
  const spiOut = readU32(sap.proposals[0].spi);
  if (spiOut <= 0) throw peerError(`child ${config.name}: the answer's SPI is not 4 octets`);
  const rtsi = tsiP.selectors as TrafficSelector[], rtsr = tsrP.selectors as TrafficSelector[];
  // §2.9: the responder may narrow, never widen.
  if (!isSubset(rtsi, tsi) || !isSubset(rtsr, tsr)) throw new EngineError("incompatible", `child ${config.name}: the responder widened the traffic selectors`, NotifyType.TS_UNACCEPTABLE);
  const c = sk(sa);
  const encr = ep.crypto.encr(chosen.encr.id, chosen.encr.keyBits);
  const integ = chosen.integ ? ep.crypto.integ(chosen.integ) : undefined;
  const keys = deriveChildKeys(c.suite.prf, c.keys.sk_d, encr, integ, ni, nr, pfsSecret);
  return {
    id: ep.nextChildIdValue(), ikeId: sa.id, config, spiIn, spiOut, chosen: chosen as ChosenSuite, keys, createdAsInitiator: asInitiator,
    tsLocal: rtsi, tsRemote: rtsr, state: { kind: "installed" }, establishedAt: 0, rekeyAt: Infinity, deleteAt: Infinity, nonces: [ni, nr],
  };
}

// ------------------------------------------------------------------ CREATE_CHILD_SA (initiator)

/** A new Child SA, or (with `rekeyOf`) the rekey of one (§1.3.1, §1.3.3, §2.8), with optional PFS. */
export class ChildCreateTask implements Task {
  readonly name: string;
  readonly exchangeType = ExchangeType.CREATE_CHILD_SA;
  private spiIn = 0;
  private offered: Proposal[] = [];
  private tsi: TrafficSelector[] = [];
  private tsr: TrafficSelector[] = [];
  private ni: Uint8Array = new Uint8Array(0);
  private share?: KeyShare;

  constructor(protected readonly ep: Endpoint, protected config: ChildConfig, protected readonly rekeyOf?: number, private readonly group?: number, private readonly retries = 0) {
    this.name = rekeyOf !== undefined ? "child-rekey" : "child-create";
  }

  build(sa: IkeSa): Payload[] | null {
    if (sa.state.kind !== "established") return null;
    let old: ChildSa | undefined;
    if (this.rekeyOf !== undefined) {
      old = sa.children.get(this.rekeyOf);
      if (!old || old.state.kind !== "installed") return null;
      old.state = { kind: "rekeying" };
      this.config = old.config;
    }
    this.spiIn = this.ep.newChildSpi();
    const pfs = this.config.proposals.some((p) => p.ke.length > 0);
    this.offered = buildProposals(this.config.proposals, ProtocolId.ESP, u32(this.spiIn), { withKe: pfs, firstKe: this.group });
    this.tsi = old ? old.tsLocal : resolveSelectorsFor(this.config.localTs, sa.conn.localAddress ?? sa.local.ip);
    this.tsr = old ? old.tsRemote : resolveSelectorsFor(this.config.remoteTs, sa.remote.ip);
    this.ni = this.ep.crypto.random(NONCE_LEN);
    const out: Payload[] = [];
    if (old) out.push(notifyPayload(NotifyType.REKEY_SA, new Uint8Array(0), ProtocolId.ESP, u32(old.spiIn)));
    out.push(saPayload(this.offered));
    out.push({ type: PayloadType.NONCE, data: this.ni } as Payload);
    if (pfs) {
      const g = this.group ?? this.config.proposals.find((p) => p.ke.length)!.ke[0];
      this.share = this.ep.crypto.ke(g).generate();
      out.push({ type: PayloadType.KE, group: g, data: this.share.publicValue } as Payload);
    }
    out.push({ type: PayloadType.TSi, selectors: this.tsi } as unknown as Payload);
    out.push({ type: PayloadType.TSr, selectors: this.tsr } as unknown as Payload);
    return out;
  }

  onResponse(sa: IkeSa, ps: Payload[], now: number): void {
    const old = this.rekeyOf !== undefined ? sa.children.get(this.rekeyOf) : undefined;
    const restoreOld = () => { if (old && old.state.kind === "rekeying") old.state = { kind: "installed" }; };
    const err = firstError(ps);
    if (err) {
      this.ep.releaseChildSpi(this.spiIn);
      this.share?.dispose();
      restoreOld();
      if (err.notifyType === NotifyType.INVALID_KE_PAYLOAD && err.data.length === 2 && this.retries < 2) {
        const g = (err.data[0] << 8) | err.data[1];
        if (this.config.proposals.some((p) => p.ke.includes(g))) { sa.queue.unshift(this.retry(g)); return; }
      }
      if (err.notifyType === NotifyType.TEMPORARY_FAILURE && old) {
        // §2.25: try again a little later (jittered), not at once.
        old.rekeyAt = now + 2000 + 8000 * this.ep.jitter();
        this.ep.log({ level: "info", event: "child-rekey-deferred", sa: childName(old), reason: "peer answered TEMPORARY_FAILURE" });
        return;
      }
      if (err.notifyType === NotifyType.CHILD_SA_NOT_FOUND && old) {
        this.ep.removeChild(sa, old, "peer no longer has it (CHILD_SA_NOT_FOUND)", true);
        return;
      }
      const e = errorFrom(err, `child ${this.config.name}`);
      this.ep.emit({ type: "child-failed", ikeId: sa.id, name: this.config.name, reason: e.message, notify: err.notifyType });
      this.ep.log({ level: "warn", event: "child-failed", sa: saName(sa), peer: addr(sa.remote), reason: e.message });
      return;
    }
    let child: ChildSa;
    try {
      const nr = find<NoncePayload>(ps, PayloadType.NONCE);
      if (!nr) throw peerError("CREATE_CHILD_SA response lacks Nonce");
      let secret: Uint8Array | undefined;
      const sap = find<SaPayload>(ps, PayloadType.SA);
      const chosenKe = sap && sap.proposals[0]?.transforms.find((t) => t.type === 4 && t.id !== 0)?.id;
      if (this.share && chosenKe !== undefined) {
        const ke = find<KePayload>(ps, PayloadType.KE);
        if (!ke) throw peerError("PFS was agreed but the response lacks KE");
        secret = sharedSecret(this.share, ke);
      }
      this.share?.dispose();
      child = completeChild(this.ep, sa, ps, this.config, this.spiIn, this.offered, this.tsi, this.tsr, this.ni, nr.data, secret, true);
    } catch (e) {
      this.ep.releaseChildSpi(this.spiIn);
      restoreOld();
      throw e;
    }
    this.ep.installChild(sa, child, now, old?.id);
    if (!old) return;
    // §2.8.1: did the peer rekey the same Child SA meanwhile? The exchange with the lowest nonce loses.
    const collision = sa.peerChildRekeys.get(old.id);
    sa.peerChildRekeys.delete(old.id);
    if (collision && compareNonce(minNonce(child.nonces), minNonce(collision.nonces)) < 0) {
      // Ours is redundant: delete the SA we created; the peer deletes the old one.
      this.ep.log({ level: "info", event: "child-rekey-collision-lost", sa: childName(old), reason: "the peer's rekey had the higher nonce; deleting ours" });
      old.state = { kind: "rekeyed", successor: collision.newId, expiresAt: now + 60_000 };
      child.state = { kind: "installed" };
      sa.queue.unshift(new ChildDeleteTask(this.ep, child.id, "redundant rekey (collision)"));
      return;
    }
    if (collision) this.ep.log({ level: "info", event: "child-rekey-collision-won", sa: childName(old), reason: "our rekey had the higher nonce; the peer deletes its new SA" });
    old.state = { kind: "rekeyed", successor: child.id, expiresAt: now + 60_000 };
    sa.queue.unshift(new ChildDeleteTask(this.ep, old.id, "rekeyed"));
  }

  protected retry(g: number): Task {
    if (this.rekeyOf !== undefined) return new ChildCreateTask(this.ep, this.config, this.rekeyOf, g, this.retries + 1);
    return new ChildCreateTask(this.ep, this.config, undefined, g, this.retries + 1);
  }

  onTimeout(sa: IkeSa): void { this.ep.releaseChildSpi(this.spiIn); void sa; }
}

export class ChildRekeyTask extends ChildCreateTask {
  constructor(ep: Endpoint, childId: number, sa?: IkeSa) {
    super(ep, (sa?.children.get(childId)?.config) ?? ({} as ChildConfig), childId);
  }
}

// ------------------------------------------------------------------ IKE SA rekey (initiator)

/** Rekeying the IKE SA with CREATE_CHILD_SA (§1.3.2, §2.18), with the collision rule of §2.8.2. */
export class IkeRekeyTask implements Task {
  readonly name = "ike-rekey";
  readonly exchangeType = ExchangeType.CREATE_CHILD_SA;
  private share?: KeyShare;
  private ni: Uint8Array = new Uint8Array(0);
  private spi: Uint8Array = new Uint8Array(0);
  private offered: Proposal[] = [];
  constructor(private readonly ep: Endpoint, private readonly group?: number, private readonly retries = 0) {}

  build(sa: IkeSa): Payload[] | null {
    if (sa.state.kind !== "established") return null;
    const g = this.group ?? sa.state.sk.chosen.ke ?? sa.conn.ikeProposals[0].ke[0];
    this.spi = this.ep.newIkeSpi();
    this.offered = buildProposals(sa.conn.ikeProposals, ProtocolId.IKE, this.spi, { withKe: true, firstKe: g });
    this.share = this.ep.crypto.ke(g).generate();
    this.ni = this.ep.crypto.random(NONCE_LEN);
    sa.rekeying = true;
    return [saPayload(this.offered), { type: PayloadType.NONCE, data: this.ni } as Payload, { type: PayloadType.KE, group: g, data: this.share.publicValue } as Payload];
  }

  onResponse(sa: IkeSa, ps: Payload[], now: number): void {
    sa.rekeying = false;
    const st = sa.state;
    if (st.kind !== "established") { this.share?.dispose(); return; }
    const err = firstError(ps);
    if (err) {
      this.share?.dispose();
      if (err.notifyType === NotifyType.INVALID_KE_PAYLOAD && err.data.length === 2 && this.retries < 2) {
        sa.queue.unshift(new IkeRekeyTask(this.ep, (err.data[0] << 8) | err.data[1], this.retries + 1));
        return;
      }
      sa.rekeyAt = now + 2000 + 8000 * this.ep.jitter();
      this.ep.log({ level: "warn", event: "ike-rekey-failed", sa: saName(sa), peer: addr(sa.remote), reason: `peer answered ${notifyName(err.notifyType)}; retrying later` });
      return;
    }
    const sap = find<SaPayload>(ps, PayloadType.SA), ke = find<KePayload>(ps, PayloadType.KE), nr = find<NoncePayload>(ps, PayloadType.NONCE);
    if (!sap || !ke || !nr) throw peerError("IKE rekey response lacks SA, KE or Nonce");
    const chosen = checkAnswer(this.offered, sap, ProtocolId.IKE);
    if (typeof chosen === "string") throw noProposal(`IKE rekey: ${chosen}`);
    const spiR = sap.proposals[0].spi;
    if (spiR.length !== 8) throw peerError("IKE rekey answer's SPI is not 8 octets");
    const secret = sharedSecret(this.share!, ke);
    this.share!.dispose();
    const suite = resolveIkeSuite(this.ep.crypto, { encr: chosen.encr.id, encrKeyBits: chosen.encr.keyBits, prf: chosen.prf!, integ: chosen.integ });
    const keys = deriveRekeyedIkeKeys(st.sk.suite.prf, st.sk.keys.sk_d, suite, secret, this.ni, nr.data, this.spi, spiR);
    secret.fill(0);
    // §2.18: the rekey's initiator is the original initiator of the new IKE SA.
    const nsa = this.ep.newIkeSa(sa.conn, true, this.spi, spiR.slice(), { ...sa.local }, { ...sa.remote }, now);
    inheritIke(this.ep, nsa, sa);
    nsa.nonces = [this.ni, nr.data];
    nsa.state = { kind: "established", sk: this.ep.makeCrypto(nsa, chosen, suite, keys) };
    const collision = sa.peerRekey;
    sa.peerRekey = undefined;
    if (collision && compareNonce(minNonce(nsa.nonces), minNonce(collision.nonces)) < 0) {
      // §2.8.2: ours is redundant. Children go to the peer's new SA; we delete ours; the peer deletes the old one.
      const winner = this.ep.ikeById(collision.newId);
      this.ep.log({ level: "info", event: "ike-rekey-collision-lost", sa: saName(sa), reason: "the peer's rekey had the higher nonce" });
      if (winner) { moveChildren(sa, winner); this.ep.established(winner, now, sa.id); }
      nsa.establishedAt = now;
      nsa.redundant = true;
      nsa.queue.push(new IkeDeleteTask(this.ep, true));
      this.ep.pump(nsa, now);
      sa.state = { kind: "rekeyed", sk: st.sk, successor: winner?.id ?? nsa.id, expiresAt: now + 60_000 };
      return;
    }
    if (collision) {
      this.ep.log({ level: "info", event: "ike-rekey-collision-won", sa: saName(sa), reason: "our rekey had the higher nonce" });
      const loser = this.ep.ikeById(collision.newId);
      if (loser) loser.redundant = true;
    }
    moveChildren(sa, nsa);
    this.ep.established(nsa, now, sa.id);
    // Queued work moves to the new SA; the old one only deletes itself.
    nsa.queue.push(...sa.queue.filter((t) => t.name !== "ike-rekey" && t.name !== "dpd"));
    sa.queue.length = 0;
    sa.queue.push(new IkeDeleteTask(this.ep, true));
    sa.state = { kind: "deleting", sk: st.sk };
    sa.replacedBy = nsa.id;
    this.ep.pump(nsa, now);
  }

  onTimeout(sa: IkeSa): void { sa.rekeying = false; this.share?.dispose(); }
}

/** What a rekeyed IKE SA inherits from the old one. */
export function inheritIke(ep: Endpoint, nsa: IkeSa, old: IkeSa): void {
  nsa.natLocal = old.natLocal; nsa.natRemote = old.natRemote;
  if (old.peerId) ep.setPeerId(nsa, old.peerId);
  nsa.peerFragmentation = old.peerFragmentation; nsa.peerChildless = old.peerChildless; nsa.peerSigHashes = old.peerSigHashes;
}

export function moveChildren(from: IkeSa, to: IkeSa): void {
  for (const c of from.children.values()) { c.ikeId = to.id; to.children.set(c.id, c); }
  from.children.clear();
}

// ------------------------------------------------------------------ INFORMATIONAL (initiator)

/** Deleting a Child SA (§1.4.1). */
export class ChildDeleteTask implements Task {
  readonly name = "child-delete";
  readonly exchangeType = ExchangeType.INFORMATIONAL;
  constructor(private readonly ep: Endpoint, private readonly childId: number, private readonly reason = "deleted") {}

  build(sa: IkeSa): Payload[] | null {
    const c = sa.children.get(this.childId);
    if (!c || (sa.state.kind !== "established")) return null;
    if (c.state.kind !== "rekeyed") c.state = { kind: "deleting" };
    return [{ type: PayloadType.D, protocolId: ProtocolId.ESP, spiSize: 4, spis: [u32(c.spiIn)] } as Payload];
  }

  onResponse(sa: IkeSa): void {
    const c = sa.children.get(this.childId);
    if (c) this.ep.removeChild(sa, c, this.reason, false);
  }

  onTimeout(sa: IkeSa): void { this.onResponse(sa); }
}

/** Deleting the IKE SA and with it every Child SA (§1.4.1). `afterRekey`: the Child SAs have moved on. */
export class IkeDeleteTask implements Task {
  readonly name = "ike-delete";
  readonly exchangeType = ExchangeType.INFORMATIONAL;
  constructor(private readonly ep: Endpoint, private readonly afterRekey = false) {}

  build(sa: IkeSa): Payload[] | null {
    const st = sa.state;
    if (st.kind === "init-sent" || st.kind === "half-open" || st.kind === "auth-sent") return null;
    sa.state = { kind: "deleting", sk: st.sk };
    return [{ type: PayloadType.D, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] } as Payload];
  }

  onResponse(sa: IkeSa): void {
    this.ep.destroy(sa, this.afterRekey ? "rekeyed" : "deleted", false, { quiet: this.afterRekey });
  }

  onTimeout(sa: IkeSa): void { this.onResponse(sa); }
}

/** A liveness check: an empty INFORMATIONAL request (§1.4). */
export class DpdTask implements Task {
  readonly name = "dpd";
  readonly exchangeType = ExchangeType.INFORMATIONAL;
  constructor(private readonly ep: Endpoint) {}
  build(sa: IkeSa): Payload[] | null { return sa.state.kind === "established" ? [] : null; }
  onResponse(sa: IkeSa): void { this.ep.log({ level: "debug", event: "peer-alive", sa: saName(sa), peer: addr(sa.remote) }); }
}

export type { DeletePayload };
