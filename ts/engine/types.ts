// What the engine takes in and gives out. Everything here is data: the host (runtimes/) owns the
// sockets and the one timer; the engine owns the protocol.

/** A UDP endpoint. `ip` is textual (IPv4 dotted quad or IPv6). */
export interface Address { ip: string; port: number }

/** One UDP payload. On the NAT-T port the host has already stripped (and will add) the non-ESP marker. */
export interface Datagram { local: Address; remote: Address; data: Uint8Array }

export type LogLevel = "debug" | "info" | "warn" | "error";

/** A structured log record: what happened, to which SA and peer, and why, in words an operator can act on. */
export interface LogRecord {
  level: LogLevel;
  event: string;
  /** "conn-name[ike-id]" or "conn-name{child-id}". */
  sa?: string;
  peer?: string;
  reason?: string;
  [k: string]: unknown;
}

export type Logger = (rec: LogRecord) => void;

/** Keys handed to the data plane when a Child SA comes up (ESP, RFC 4303). */
export interface ChildSaKeys {
  /** ENCR transform ID and key length (bits), INTEG transform ID (0 for AEAD), ESN. */
  encr: { id: number; keyBits: number };
  integ: number;
  esn: boolean;
  /** Our inbound SPI (the peer sends with it) and our outbound SPI (the peer's inbound). */
  spiIn: number;
  spiOut: number;
  encrKeyIn: Uint8Array;
  integKeyIn: Uint8Array;
  encrKeyOut: Uint8Array;
  integKeyOut: Uint8Array;
}

export interface SelectorText { local: string[]; remote: string[] }

export interface IkeSaInfo {
  id: number;
  name: string;
  initiator: boolean;
  spiI: string;
  spiR: string;
  local: Address;
  remote: Address;
  localId: string;
  remoteId: string;
  suite: string;
  natLocal: boolean;
  natRemote: boolean;
  establishedAt: number;
  rekeyAt?: number;
  deleteAt?: number;
}

export interface ChildSaInfo {
  id: number;
  ikeId: number;
  name: string;
  spiIn: string;
  spiOut: string;
  suite: string;
  ts: SelectorText;
  establishedAt: number;
  rekeyAt?: number;
  deleteAt?: number;
}

export type EngineEvent =
  | { type: "ike-up"; ike: IkeSaInfo }
  | { type: "ike-rekeyed"; oldId: number; ike: IkeSaInfo }
  | { type: "ike-down"; id: number; name: string; reason: string; byPeer: boolean }
  | { type: "ike-failed"; id: number; name: string; peer: string; reason: string; notify?: number }
  | { type: "auth-failed"; id: number; name: string; peer: string; reason: string; local: boolean }
  | { type: "peer-dead"; id: number; name: string; peer: string }
  | { type: "child-up"; child: ChildSaInfo; keys: ChildSaKeys; rekeyOf?: number }
  | { type: "child-failed"; ikeId: number; name: string; reason: string; notify?: number }
  | { type: "child-down"; id: number; ikeId: number; name: string; spiIn: number; spiOut: number; reason: string; byPeer: boolean }
  | { type: "keylog"; format: "ikev2_decryption_table" | "esp_sa"; line: string };

/** What a call into the engine produced. */
export interface Output { datagrams: Datagram[]; events: EngineEvent[] }
