// The state an IKE SA and its Child SAs hold. States are discriminated unions: each holds only what
// is valid in it (STYLE: rustls). Exchanges (tasks.ts) move an SA from one state to the next.
import type { KeyShare } from "../crypto/types.ts";
import type { ChildKeys, IkeKeys, IkeSuite } from "../crypto/keymat.ts";
import type { FragmentReassembler, SkOpener, SkSealer } from "../crypto/sk.ts";
import type { ChosenSuite } from "./proposals.ts";
import type { ChildConfig, ConnectionConfig } from "./config.ts";
import type { TrafficSelector } from "./selectors.ts";
import type { Address } from "./types.ts";
import type { Payload } from "./msg.ts";
import type { Proposal } from "../wire/payload.ts";
import type { DeadlineEntry } from "./deadlines.ts";

/** Keys and message protection of an IKE SA, from IKE_SA_INIT (§2.14) or a rekey (§2.18). */
export interface IkeCrypto {
  chosen: ChosenSuite;
  suite: IkeSuite;
  keys: IkeKeys;
  /** Protects what we send (SK_ei/SK_ai if we are the original initiator, else SK_er/SK_ar). */
  sealer: SkSealer;
  opener: SkOpener;
  reassembler: FragmentReassembler;
}

export type IkeState =
  /** Initiator: IKE_SA_INIT request sent, waiting for the response. */
  | { kind: "init-sent"; ni: Uint8Array; share: KeyShare; offered: Proposal[]; cookie?: Uint8Array; keRetries: number }
  /** Responder: IKE_SA_INIT answered, waiting for IKE_AUTH (half-open, §2.6). */
  | { kind: "half-open"; sk: IkeCrypto; msg1: Uint8Array; msg2: Uint8Array; ni: Uint8Array; nr: Uint8Array; expiresAt: number }
  /** Initiator: IKE_AUTH request sent. */
  | { kind: "auth-sent"; sk: IkeCrypto; msg1: Uint8Array; msg2: Uint8Array; ni: Uint8Array; nr: Uint8Array }
  /** Authenticated; exchanges may run. */
  | { kind: "established"; sk: IkeCrypto }
  /** Superseded by a rekeyed IKE SA: kept only to finish the Delete exchange. */
  | { kind: "rekeyed"; sk: IkeCrypto; successor: number; expiresAt: number }
  /** Our Delete request for this IKE SA is outstanding. */
  | { kind: "deleting"; sk: IkeCrypto };

export type ChildState =
  | { kind: "installed" }
  /** Our rekey of this Child SA is outstanding. */
  | { kind: "rekeying" }
  /** Replaced by `successor`; its Delete exchange may still be running. */
  | { kind: "rekeyed"; successor: number; expiresAt: number }
  /** Our Delete request for this Child SA is outstanding. */
  | { kind: "deleting" };

export interface ChildSa {
  id: number;
  ikeId: number;
  config: ChildConfig;
  /** Our inbound SPI (the peer sends ESP with it) and the peer's inbound SPI (we send with it). */
  spiIn: number;
  spiOut: number;
  chosen: ChosenSuite;
  keys: ChildKeys;
  /** Whether we were the initiator of the exchange that created it (§2.17 key order). */
  createdAsInitiator: boolean;
  tsLocal: TrafficSelector[];
  tsRemote: TrafficSelector[];
  state: ChildState;
  establishedAt: number;
  rekeyAt: number;
  deleteAt: number;
  /** Nonces of the exchange that created it, for the collision rule (§2.8.1). */
  nonces: [Uint8Array, Uint8Array];
}

/** An initiator-side exchange waiting for its response (window size 1, §2.3). */
export interface Outstanding {
  messageId: number;
  exchangeType: number;
  datagrams: Uint8Array[];
  /** Retransmissions sent so far, and when the next one (or the give-up) is due. */
  retries: number;
  nextAt: number;
  task: Task;
}

/** A cached response: answers a retransmitted request (§2.1). */
export interface CachedResponse { messageId: number; datagrams: Uint8Array[]; requestHash: string }

/**
 * An exchange we initiate, built from small tasks. `build` is called when the exchange starts (the
 * SA state may have changed while it waited in the queue); it may return null to cancel itself.
 */
export interface Task {
  readonly name: string;
  readonly exchangeType: number;
  build(sa: IkeSa, now: number): Payload[] | null;
  /** The response arrived (already decrypted and checked). */
  onResponse(sa: IkeSa, payloads: Payload[], now: number, rx: Received): void;
  /** The peer never answered (§2.4). */
  onTimeout?(sa: IkeSa, now: number): void;
}

/** How a message arrived: header, datagram, and (for protected messages) each inner payload's body as received. */
export interface Received {
  header: { spiI: Uint8Array; spiR: Uint8Array; messageId: number; exchangeType: number };
  dg: { local: Address; remote: Address; data: Uint8Array };
  bodies: Uint8Array[];
}

export interface IkeSa {
  id: number;
  conn: ConnectionConfig;
  /** We are the original initiator (I flag, §3.1). */
  initiator: boolean;
  spiI: Uint8Array;
  spiR: Uint8Array;
  local: Address;
  remote: Address;
  natLocal: boolean;
  natRemote: boolean;
  /** The peer's identity once authenticated. */
  peerId?: { type: number; data: Uint8Array };
  peerFragmentation: boolean;
  peerChildless: boolean;
  /** The peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4); null when it sent none. */
  peerSigHashes?: number[] | null;
  /** CA key hashes of the peer's CERTREQ payloads (RFC 7296 §3.7); undefined when it sent none. */
  peerCertReq?: Uint8Array[];
  state: IkeState;
  /** Next Message ID for our requests, and the next one we expect from the peer (§2.2). */
  nextOwnId: number;
  nextPeerId: number;
  outstanding?: Outstanding;
  queue: Task[];
  lastResponse?: CachedResponse;
  children: Map<number, ChildSa>;
  createdAt: number;
  establishedAt: number;
  rekeyAt: number;
  deleteAt: number;
  dpdAt: number;
  lastHeard: number;
  /** Nonces of the exchange that created this SA (rekeyed IKE SAs: for §2.8.2). */
  nonces?: [Uint8Array, Uint8Array];
  /** Set while we respond to a peer's rekey of this IKE SA during our own (collision, §2.8.2). */
  peerRekey?: { newId: number; nonces: [Uint8Array, Uint8Array] };
  /** Child SAs the peer rekeyed while we were rekeying them: child id → (new child id, nonces). */
  peerChildRekeys: Map<number, { newId: number; nonces: [Uint8Array, Uint8Array] }>;
  /** The IKE_SA_INIT request as last sent (RealMessage1 for AUTH, §2.15). */
  lastSentInit?: Uint8Array;
  /** Our IKE rekey is outstanding. */
  rekeying?: boolean;
  /** After a completed IKE rekey: the IKE SA that replaced this one. */
  replacedBy?: number;
  /** Created by the losing side of a rekey collision (§2.8.2): its peer deletes it; never announced. */
  redundant?: boolean;
  /** The Endpoint's bookkeeping: this SA's place in the timer heap (its earliest deadline, see dueAt). */
  timer: DeadlineEntry<IkeSa>;
  /** Responder: its key in the IKE_SA_INIT retransmit index, so removal needs no scan. */
  initKey?: string;
  /** Responder with a peer identity: its key in the INITIAL_CONTACT index (per connection). */
  peerKey?: string;
}

/** "conn[3]" for logs. */
export function saName(sa: IkeSa): string { return `${sa.conn.name}[${sa.id}]`; }
export function childName(c: ChildSa): string { return `${c.config.name}{${c.id}}`; }

export function sk(sa: IkeSa): IkeCrypto {
  if (sa.state.kind === "init-sent") throw new Error(`${saName(sa)}: no keys before IKE_SA_INIT completes`);
  return sa.state.sk;
}
