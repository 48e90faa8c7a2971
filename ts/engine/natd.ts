// NAT detection (RFC 7296 §2.23): NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP carry
//   SHA-1(SPIi | SPIr | IP address | Port)
// (SPIr is zero in the IKE_SA_INIT request). A mismatch on the peer's source hash means the peer is
// behind a NAT; on the destination hash, that we are.
import { equalBytes } from "../crypto/errors.ts";
import type { CryptoProvider } from "../crypto/types.ts";

export function natHash(crypto: CryptoProvider, spiI: Uint8Array, spiR: Uint8Array, ip: Uint8Array, port: number): Uint8Array {
  const b = new Uint8Array(16 + ip.length + 2);
  b.set(spiI, 0); b.set(spiR, 8); b.set(ip, 16);
  b[16 + ip.length] = port >> 8; b[17 + ip.length] = port & 0xff;
  return crypto.hash("sha1", b);
}

export interface NatVerdict {
  /** We are behind a NAT: the peer saw a different address/port for us than we use. */
  local: boolean;
  /** The peer is behind a NAT. */
  remote: boolean;
}

/**
 * Compares received NAT_DETECTION hashes with what the addresses of the datagram give.
 * `sourceHashes` are the peer's NAT_DETECTION_SOURCE_IP values (there may be several), `destHash` the
 * NAT_DETECTION_DESTINATION_IP value. Absent notifies mean no NAT-T support: no verdict (both false).
 */
export function natVerdict(crypto: CryptoProvider, spiI: Uint8Array, spiR: Uint8Array,
  remote: { ip: Uint8Array; port: number }, local: { ip: Uint8Array; port: number },
  sourceHashes: Uint8Array[], destHash: Uint8Array | undefined): NatVerdict {
  let remoteNat = false, localNat = false;
  if (sourceHashes.length > 0) {
    const want = natHash(crypto, spiI, spiR, remote.ip, remote.port);
    remoteNat = !sourceHashes.some((h) => equalBytes(h, want));
  }
  if (destHash) localNat = !equalBytes(destHash, natHash(crypto, spiI, spiR, local.ip, local.port));
  return { local: localNat, remote: remoteNat };
}
