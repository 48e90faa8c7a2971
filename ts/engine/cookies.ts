// Stateless cookies (RFC 7296 §2.6). Once the number of half-open IKE SAs passes a threshold, the
// responder answers IKE_SA_INIT requests that carry no valid COOKIE with a COOKIE notify and keeps
// no state. The RFC's suggested construction is used:
//   Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)
// The secret rotates; a cookie made with the previous secret is still accepted, so a rotation does
// not fail the clients that are mid-handshake.
import { equalBytes } from "../crypto/errors.ts";
import type { CryptoProvider } from "../crypto/types.ts";

export interface CookieOptions {
  /** Rotate the secret after this many ms. */
  rotateMs: number;
}

export class CookieJar {
  private version = 0;
  private secret: Uint8Array;
  private previous: { version: number; secret: Uint8Array } | undefined;
  private rotatedAt: number;

  constructor(private readonly crypto: CryptoProvider, now: number, private readonly opts: CookieOptions = { rotateMs: 120_000 }) {
    this.secret = crypto.random(32);
    this.rotatedAt = now;
  }

  private rotateIfDue(now: number): void {
    if (now - this.rotatedAt < this.opts.rotateMs) return;
    this.previous = { version: this.version, secret: this.secret };
    this.version = (this.version + 1) & 0xff;
    this.secret = this.crypto.random(32);
    this.rotatedAt = now;
  }

  private compute(version: number, secret: Uint8Array, ni: Uint8Array, ip: Uint8Array, spiI: Uint8Array): Uint8Array {
    const input = new Uint8Array(ni.length + ip.length + spiI.length + secret.length);
    input.set(ni, 0); input.set(ip, ni.length); input.set(spiI, ni.length + ip.length); input.set(secret, ni.length + ip.length + spiI.length);
    const h = this.crypto.hash("sha256", input);
    const out = new Uint8Array(1 + 16);
    out[0] = version;
    out.set(h.subarray(0, 16), 1);
    return out;
  }

  /** The cookie for this initiator (to send in a COOKIE notify). */
  make(ni: Uint8Array, ip: Uint8Array, spiI: Uint8Array, now: number): Uint8Array {
    this.rotateIfDue(now);
    return this.compute(this.version, this.secret, ni, ip, spiI);
  }

  /** Whether `cookie` was made by us, with the current or previous secret, for this initiator. */
  verify(cookie: Uint8Array, ni: Uint8Array, ip: Uint8Array, spiI: Uint8Array, now: number): boolean {
    this.rotateIfDue(now);
    if (cookie.length !== 17) return false;
    if (cookie[0] === this.version) return equalBytes(cookie, this.compute(this.version, this.secret, ni, ip, spiI));
    if (this.previous && cookie[0] === this.previous.version) return equalBytes(cookie, this.compute(this.previous.version, this.previous.secret, ni, ip, spiI));
    return false;
  }
}
