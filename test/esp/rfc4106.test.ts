// Known answers for AES-GCM in ESP (RFC 4106) from draft-mcgrew-gcm-test-01, "Test Cases for the use
// of Galois/Counter Mode (GCM) and Galois Message Authentication Code (GMAC) in IPsec ESP" (McGrew,
// March 2009), §4: its sixteen AES-GCM-ESP packets, on every provider. The one AES-GMAC-ESP case
// (RFC 4543, §4 page 19) is left out: we do not implement GMAC.
//
// Two things about these packets shape the tests:
// - Every plaintext ends with Next Header 1 (ICMP), whatever it carries (IPv4 packets, a bare ICMP
//   message, text): they are transport-mode style. Our SA path is tunnel mode and must drop them as
//   "next-header", after the ICV has verified. The payload, padding and Next Header are checked one
//   layer down (EspProtection.open + unpad), where the Next Header is the caller's business.
// - Eleven cases use a 64-bit Extended Sequence Number (RFC 4303 §2.2.1), most of them far above 2^53.
//   ts/esp holds sequence numbers as JS numbers (exact below 2^53, see ts/esp/replay.ts), so a
//   number like 0x1010101010101010 cannot even be passed to it. Those cases are checked at the AEAD
//   (the provider's GCM with salt || IV and the RFC 4106 §5 AAD built here); every case whose
//   sequence number is an exact JS number goes through EspProtection and OutboundSa; and those not
//   above 2^53 also through InboundSa, whose window infers the ESN high half.
import assert from "node:assert/strict";
import { hex, test, toHex } from "../lib/harness.ts";
import { ENCR, type CryptoProvider, type KeyedAead } from "../../ts/crypto/types.ts";
import { EspProtection, InboundSa, OutboundSa, unpad, DEFAULT_REPLAY_WINDOW, MAX_SEQ_64, type EspDirectionKeys } from "../../ts/esp/index.ts";
import { providers } from "./lib.ts";

/** One AES-GCM-ESP case of the draft's §4, transcribed (hex; whitespace as the draft breaks lines). */
interface DraftCase {
  /** Where it sits: draft-mcgrew-gcm-test-01 §4, this page (the cases are not numbered). */
  where: string;
  key: string;
  spi: string;
  /** 4 octets: a 32-bit sequence number; 8 octets: an ESN. */
  seq: string;
  /** GCM nonce = salt || IV (RFC 4106 §4). */
  nonce: string;
  /** RestOfPayloadData || Padding || Pad Length || Next Header (the draft's Figure 1). */
  plaintext: string;
  aad: string;
  ctextTag: string;
  packet: string;
  /** The octet counts the draft prints under plaintext, ctext+tag and packet. */
  octets: [number, number, number];
  /** Read off the plaintext's last bytes: Pad Length and Next Header. */
  padLen: number;
  nextHeader: number;
}

const CASES: DraftCase[] = [
  {
    where: "§4 page 7", key: "4c80cdefbb5d10da906ac73c3613a634", spi: "00004321", seq: "8765432100000000",
    nonce: "2e443b684956ed7e3b244cfe",
    plaintext: `45000048699a000080114db7c0a80102 c0a801010a9bf15638d3010000010000 00000000045f736970045f7564700373
                69700963796265726369747902646b00 0021000101020201`,
    aad: "000043218765432100000000",
    ctextTag: `fecf537e729d5b07dc30df528dd22b76 8d1b98736696a6fd348509fa13ceac34 cfa2436f14a3f3cf65925bf1f4a13c5d
               15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72 2fd04796562dfdb4`,
    packet: `00004321000000004956ed7e3b244cfe fecf537e729d5b07dc30df528dd22b76 8d1b98736696a6fd348509fa13ceac34
             cfa2436f14a3f3cf65925bf1f4a13c5d 15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72
             2fd04796562dfdb4`,
    octets: [72, 88, 104], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 8", key: "feffe9928665731c6d6a8f9467308308", spi: "0000a5f8", seq: "0000000a",
    nonce: "cafebabefacedbaddecaf888",
    plaintext: `4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100 00010000000000000373697009637962
                65726369747902646b00000100010001`,
    aad: "0000a5f80000000a",
    ctextTag: `deb22cd9b07c72c16e3a65beeb8df304 a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642
               cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a`,
    packet: `0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304 a5a5897d33ae530f1ba76d5d114d2a5c
             3de81827c10e9a4f51330d0eec416642 cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a`,
    octets: [64, 80, 96], padLen: 0, nextHeader: 1,
  },
  {
    where: "§4 page 9", key: "abbccddef00112233445566778899aab abbccddef00112233445566778899aab", spi: "4a2cbfe3", seq: "00000002",
    nonce: "112233440102030405060708",
    plaintext: `4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000 7002400020bf0000020405b401010402
                01020201`,
    aad: "4a2cbfe300000002",
    ctextTag: `ff425c9b724599df7a3bcd510194e00d 6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d
               ef842d8eb335f4eecfdbf831824b4c49 15956c96`,
    packet: `4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d 6a78107f1b0b1cbf06efae9d65a5d763
             748a637985771d347f0545659f14e99d ef842d8eb335f4eecfdbf831824b4c49 15956c96`,
    octets: [52, 68, 84], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 10", key: "00000000000000000000000000000000", spi: "00000000", seq: "00000001",
    nonce: "000000000000000000000000",
    plaintext: `4500003c99c500008001cb7a40679318 010101010800075c0200440061626364 65666768696a6b6c6d6e6f7071727374
                75767761626364656667686901020201`,
    aad: "0000000000000001",
    ctextTag: `4688daf2f973a392732909c331d56d60 f694abaa414b5e7ff5fdcdfff5e9a284 456476492719ffb64de7d9dca1e1d894
               bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d`,
    packet: `00000000000000010000000000000000 4688daf2f973a392732909c331d56d60 f694abaa414b5e7ff5fdcdfff5e9a284
             456476492719ffb64de7d9dca1e1d894 bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d`,
    octets: [64, 80, 96], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 11", key: "3de09874b388e6491988d0c3607eae1f", spi: "42f67e3f", seq: "1010101010101010",
    nonce: "57690e434e280000a2fca1a3",
    plaintext: `4500003c99c300008001cb7c40679318 010101010800085c0200430061626364 65666768696a6b6c6d6e6f7071727374
                75767761626364656667686901020201`,
    aad: "42f67e3f1010101010101010",
    ctextTag: `fba2caa4853cf9f0f22cb10d86dd83b0 fec75691cf1a04b00d1138ec9c357917 65acbd8701ad79845bf9fe3fba487bc9
               1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48`,
    packet: `42f67e3f101010104e280000a2fca1a3 fba2caa4853cf9f0f22cb10d86dd83b0 fec75691cf1a04b00d1138ec9c357917
             65acbd8701ad79845bf9fe3fba487bc9 1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48`,
    octets: [64, 80, 96], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 12 (first)", key: "3de09874b388e6491988d0c3607eae1f", spi: "42f67e3f", seq: "1010101010101010",
    nonce: "57690e434e280000a2fca1a3",
    plaintext: "4500001c42a200008001441f406793b6 e00000020a00f5ff01020201",
    aad: "42f67e3f1010101010101010",
    ctextTag: "fba2ca845e5df9f0f22c3e6e86dd831e 1fc65792cd1af9130e1379ed369f071f 35e034be95f112e4e7d05d35",
    packet: `42f67e3f101010104e280000a2fca1a3 fba2ca845e5df9f0f22c3e6e86dd831e 1fc65792cd1af9130e1379ed369f071f
             35e034be95f112e4e7d05d35`,
    octets: [28, 44, 60], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 12 (second)", key: "feffe9928665731c6d6a8f9467308308 feffe9928665731c", spi: "0000a5f8", seq: "0000000a",
    nonce: "cafebabefacedbaddecaf888",
    plaintext: "45000028a4ad4000400678800a01038f 0a010612802306b8cb712602dd6bb03e 501016d075680001",
    aad: "0000a5f80000000a",
    ctextTag: `a5b1f8066029aea40e598b8122de0242 0938b3ab33f828e687b8858b5bfbdbd0 315b27452144cc7795457b9652037f53
               18027b5b4cd7a636`,
    packet: `0000a5f80000000afacedbaddecaf888 a5b1f8066029aea40e598b8122de0242 0938b3ab33f828e687b8858b5bfbdbd0
             315b27452144cc7795457b9652037f53 18027b5b4cd7a636`,
    octets: [40, 56, 72], padLen: 0, nextHeader: 1,
  },
  {
    where: "§4 page 13", key: "abbccddef00112233445566778899aab", spi: "00000100", seq: "0000000000000001",
    nonce: "decaf888cafedebaceface74",
    plaintext: `4500004933ba00007f119106c3fb1d10 c2b1d326c02831ce0035dd7b800302d5 00004e20001e8c18d75b81dc91baa047
                6b91b924b280389d92c963bac046ec95 9b6266c04722b14923010101`,
    aad: "000001000000000000000001",
    ctextTag: `18a6fd42f72cbf4ab2a2ea901f73d814 e3e7f243d95412e1c349c1d2fbec168f 9190feebaf2cb01984e65863965d7472
               b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6 5f354f75ff17015769623436`,
    packet: `0000010000000001cafedebaceface74 18a6fd42f72cbf4ab2a2ea901f73d814 e3e7f243d95412e1c349c1d2fbec168f
             9190feebaf2cb01984e65863965d7472 b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6
             5f354f75ff17015769623436`,
    octets: [76, 92, 108], padLen: 1, nextHeader: 1,
  },
  {
    where: "§4 page 14", key: "abbccddef00112233445566778899aab abbccddef00112233445566778899aab", spi: "17405e67", seq: "156f3126dd0db99b",
    nonce: "73616c74616e640169766563",
    plaintext: "45080028732c00004006e9f90a010612 0a01038f06b88023dd6bafbecb712602 50101f646d540001",
    aad: "17405e67156f3126dd0db99b",
    ctextTag: `f2d69ecdbd5a0d5b8d5ef38bad4da58d 1f278fde98ef67549d524a3018d9a57f f4d3a31ce673119e451626c2415771e3
               b7eebca614c89b35`,
    packet: `17405e67dd0db99b616e640169766563 f2d69ecdbd5a0d5b8d5ef38bad4da58d 1f278fde98ef67549d524a3018d9a57f
             f4d3a31ce673119e451626c2415771e3 b7eebca614c89b35`,
    octets: [40, 56, 72], padLen: 0, nextHeader: 1,
  },
  {
    where: "§4 page 15", key: "3de09874b388e6491988d0c3607eae1f", spi: "42f67e3f", seq: "1010101010101010",
    nonce: "57690e434e280000a2fca1a3",
    plaintext: `45000049333e00007f119182c3fb1d10 c2b1d326c02831ce0035cb458003025b 000001e0001e8c18d65759d52284a035
                2c71475c8880391c764d6e5ee0496b32 5ae270c03899493915010101`,
    aad: "42f67e3f1010101010101010",
    ctextTag: `fba2cad12fc1f9f00d3cebf305410db8 3d7784b607323d220f24b0a97d541828 00cadb0f68d99ef0e0c0c89ae9bea888
               4e52d65bc1afd0740f742444747b5b39 ab533163aad4550ee5160975cdb608c5 769189609763b8e18caa81e2`,
    packet: `42f67e3f101010104e280000a2fca1a3 fba2cad12fc1f9f00d3cebf305410db8 3d7784b607323d220f24b0a97d541828
             00cadb0f68d99ef0e0c0c89ae9bea888 4e52d65bc1afd0740f742444747b5b39 ab533163aad4550ee5160975cdb608c5
             769189609763b8e18caa81e2`,
    octets: [76, 92, 108], padLen: 1, nextHeader: 1,
  },
  {
    where: "§4 page 16", key: "abbccddef00112233445566778899aab abbccddef00112233445566778899aab", spi: "17405e67", seq: "156f3126dd0db99b",
    nonce: "73616c74616e640169766563",
    plaintext: `636973636f0172756c65730174686501 6e6574776501646566696e6501746865 746563686e6f6c6f6769657301746861
                7477696c6c01646566696e65746f6d6f 72726f7701020201`,
    aad: "17405e67156f3126dd0db99b",
    ctextTag: `d4b7ed86a1777f2ea13d6973d324c69e 7b43f826fb56831226508bebd2dceb18 d0a6df10e5487df074113e14c641024e
               3e6773d91a62ee429b043a10e3efe6b0 12a49363412364f8c0cac587f249e56b 11e24f30e44ccc76`,
    packet: `17405e67dd0db99b616e640169766563 d4b7ed86a1777f2ea13d6973d324c69e 7b43f826fb56831226508bebd2dceb18
             d0a6df10e5487df074113e14c641024e 3e6773d91a62ee429b043a10e3efe6b0 12a49363412364f8c0cac587f249e56b
             11e24f30e44ccc76`,
    octets: [72, 88, 104], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 17 (first)", key: "7d773d00c144c525ac619d18c84a3f47", spi: "335467ae", seq: "ffffffff",
    nonce: "d966426743457e9182443bc6",
    plaintext: "01020201",
    aad: "335467aeffffffff",
    ctextTag: "437f866bcb3f699fe9b0822bac961c45 04bef270",
    packet: "335467aeffffffff43457e9182443bc6 437f866bcb3f699fe9b0822bac961c45 04bef270",
    octets: [4, 20, 36], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 17 (second)", key: "abbccddef00112233445566778899aab", spi: "00000100", seq: "0000000000000001",
    nonce: "decaf888cafedebaceface74",
    plaintext: "746f016265016f72016e6f7401746f01 62650001",
    aad: "000001000000000000000001",
    ctextTag: "29c9fc69a197d038ccdd14e2ddfcaa05 43332164412503524303ed3c6c5f2838 43af8c3e",
    packet: `0000010000000001cafedebaceface74 29c9fc69a197d038ccdd14e2ddfcaa05 43332164412503524303ed3c6c5f2838
             43af8c3e`,
    octets: [20, 36, 52], padLen: 0, nextHeader: 1,
  },
  {
    where: "§4 page 18", key: "6c6567616c697a656d6172696a75616e 61616e64646f69746265666f72656961", spi: "796b6963", seq: "ffffffffffffffff",
    nonce: "7475726e333021696765746d",
    plaintext: `45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364 65666768696a6b6c6d6e6f7071727374
                01020201`,
    aad: "796b6963ffffffffffffffff",
    ctextTag: `f97ab2aa356d8edce17644ac8c78e25d d24dedbb29ebf1b64a274b39b49c3a86 4cd3d78ca4ae68a32b42458fb57dbe82
               1dcc63b9d0937ba2945f669368661a32 9fb4c053`,
    packet: `796b6963ffffffff333021696765746d f97ab2aa356d8edce17644ac8c78e25d d24dedbb29ebf1b64a274b39b49c3a86
             4cd3d78ca4ae68a32b42458fb57dbe82 1dcc63b9d0937ba2945f669368661a32 9fb4c053`,
    octets: [52, 68, 84], padLen: 2, nextHeader: 1,
  },
  // §4 page 19 is AES-GMAC-ESP (RFC 4543): not implemented here, left out.
  {
    where: "§4 page 20", key: "3de09874b388e6491988d0c3607eae1f", spi: "3f7ef642", seq: "1010101010101010",
    nonce: "57690e434e280000a2fca1a3",
    plaintext: `45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364 65666768696a6b6c6d6e6f7071727374
                01020201`,
    aad: "3f7ef6421010101010101010",
    ctextTag: `fba2caa8c6c5f9f0f22ca54a061210ad 3f6e5791cf1aca210d117cec9c357917 65acbd8701ad79845bf9fe3fba487bc9
               6321930684eecadb56912546e7a95c97 40d7cb05`,
    packet: `3f7ef642101010104e280000a2fca1a3 fba2caa8c6c5f9f0f22ca54a061210ad 3f6e5791cf1aca210d117cec9c357917
             65acbd8701ad79845bf9fe3fba487bc9 6321930684eecadb56912546e7a95c97 40d7cb05`,
    octets: [52, 68, 84], padLen: 2, nextHeader: 1,
  },
  {
    where: "§4 page 21", key: "4c80cdefbb5d10da906ac73c3613a634", spi: "00004321", seq: "8765432100000007",
    nonce: "22433c644855ec7d3a234bfd",
    plaintext: "0800c6cd020007006162636465666768 696a6b6c6d6e6f707172737401020201",
    aad: "000043218765432100000007",
    ctextTag: `74752e8aeb5d873cd7c0f4acc36c4bff 84b7d7b98f0ca8b6acda6894bc619069 ef9cbc28fe1b56a7c4e0d58c86cd2bc0`,
    packet: `00004321000000074855ec7d3a234bfd 74752e8aeb5d873cd7c0f4acc36c4bff 84b7d7b98f0ca8b6acda6894bc619069
             ef9cbc28fe1b56a7c4e0d58c86cd2bc0`,
    octets: [32, 48, 64], padLen: 2, nextHeader: 1,
  },
];

/** A case decoded, with what the ESP layer needs. */
interface Decoded {
  c: DraftCase;
  key: Uint8Array; salt: Uint8Array; iv: Uint8Array; spi: number; esn: boolean; seqBig: bigint;
  /** The sequence number as a JS number, when it is exact (else the ESP layer cannot be given it). */
  seq: number | undefined;
  plaintext: Uint8Array; packet: Uint8Array; ctextTag: Uint8Array;
  /** The plaintext without Padding, Pad Length and Next Header. */
  payload: Uint8Array;
}

function decode(c: DraftCase): Decoded {
  const nonce = hex(c.nonce), plaintext = hex(c.plaintext);
  const seqBig = BigInt("0x" + c.seq);
  const asNumber = Number(seqBig);
  return {
    c, key: hex(c.key), salt: nonce.subarray(0, 4), iv: nonce.subarray(4), spi: parseInt(c.spi, 16), esn: c.seq.length === 16, seqBig,
    seq: BigInt(asNumber) === seqBig ? asNumber : undefined,
    plaintext, packet: hex(c.packet), ctextTag: hex(c.ctextTag),
    payload: plaintext.subarray(0, plaintext.length - 2 - c.padLen),
  };
}

const DECODED = CASES.map(decode);

/** RFC 4106 §8.1: the ESP key material is the AES key followed by the 4-byte salt. */
function keysFor(p: CryptoProvider, d: Decoded): EspDirectionKeys {
  const km = new Uint8Array(d.key.length + 4);
  km.set(d.key); km.set(d.salt, d.key.length);
  // The draft's tags are 16 octets: ENCR_AES_GCM_16 (RFC 4106 §8.4).
  return { encr: p.encr(ENCR.ENCR_AES_GCM_16, d.key.length * 8), encrKey: km };
}

function aeadFor(p: CryptoProvider, d: Decoded): KeyedAead {
  const k = keysFor(p, d);
  if (!k.encr.aead) throw new Error("ENCR_AES_GCM_16 should be an AEAD");
  return k.encr.withKey(k.encrKey);
}

/** RFC 4106 §5: AAD = SPI || Sequence Number, or SPI || ESN high 32 || ESN low 32. Built from the parts. */
function aadOf(d: Decoded): Uint8Array {
  const a = new Uint8Array(d.esn ? 12 : 8);
  new DataView(a.buffer).setUint32(0, d.spi);
  if (d.esn) new DataView(a.buffer).setBigUint64(4, d.seqBig);
  else new DataView(a.buffer).setUint32(4, Number(d.seqBig));
  return a;
}

const flip = (b: Uint8Array, at: number, bit = 0x01) => { const c = b.slice(); c[at] ^= bit; return c; };

/** Cases the ESP layer (EspProtection, OutboundSa) can be given; those InboundSa's window can place. */
const ESP_LAYER = DECODED.filter((d) => d.seq !== undefined);
const SA_PATH = ESP_LAYER.filter((d) => d.seq! <= MAX_SEQ_64);

test("rfc4106: the draft's 16 AES-GCM-ESP cases are transcribed whole (octet counts; packet = SPI || low 32 bits of seq || IV || ctext+tag; nonce = salt || IV; AAD = SPI || seq)", () => {
  assert.equal(CASES.length, 16);
  assert.equal(DECODED.filter((d) => d.esn).length, 11, "eleven cases use an ESN");
  assert.deepEqual(ESP_LAYER.map((d) => d.c.where), ["§4 page 7", "§4 page 8", "§4 page 9", "§4 page 10", "§4 page 12 (second)", "§4 page 13", "§4 page 17 (first)", "§4 page 17 (second)"]);
  assert.equal(SA_PATH.length, 7, "all but §4 page 7 (ESN 0x87654321_00000000 > 2^53)");
  for (const d of DECODED) {
    const w = d.c.where;
    assert.deepEqual([d.plaintext.length, d.ctextTag.length, d.packet.length], d.c.octets, `${w}: octet counts`);
    assert.equal(d.ctextTag.length, d.plaintext.length + 16, `${w}: a 16-octet ICV`);
    assert.equal(toHex(d.packet.subarray(0, 4)), d.c.spi, `${w}: SPI`);
    // RFC 4303 §2.2.1: only the low 32 bits of an ESN go on the wire.
    assert.equal(toHex(d.packet.subarray(4, 8)), d.c.seq.slice(-8), `${w}: sequence number field`);
    assert.equal(toHex(d.packet.subarray(8, 16)), toHex(d.iv), `${w}: the IV is the nonce's last 8 octets (RFC 4106 §4)`);
    assert.equal(toHex(d.packet.subarray(16)), toHex(d.ctextTag), `${w}: packet tail = ctext+tag`);
    assert.equal(toHex(aadOf(d)), d.c.aad, `${w}: the draft's AAD is SPI || seq (RFC 4106 §5)`);
    assert.equal(d.plaintext[d.plaintext.length - 2], d.c.padLen, `${w}: Pad Length`);
    assert.equal(d.plaintext[d.plaintext.length - 1], d.c.nextHeader, `${w}: Next Header`);
  }
});

test("rfc4106: each draft packet opens to the draft's plaintext (ESP layer where the sequence number fits a JS number, else the AEAD with the §5 AAD), and unpad leaves the payload and Next Header 1, on wasm, native and js", () => {
  let espLayer = 0, aeadOnly = 0;
  for (const { label, p } of providers()) {
    for (const d of DECODED) {
      const w = `${label} ${d.c.where}`;
      let plain: Uint8Array;
      if (d.seq !== undefined) {
        const prot = new EspProtection(keysFor(p, d));
        const opened = prot.open(d.packet, d.seq, d.esn);
        if (typeof opened === "string") throw new Error(`${w}: refused (${opened})`);
        plain = opened;
        // The ESN path is the one that verifies: the same packet under the other AAD layout fails.
        assert.equal(prot.open(d.packet, d.seq, !d.esn), "icv", `${w}: opened with esn=${!d.esn} too`);
        prot.dispose();
        espLayer++;
      } else {
        const aead = aeadFor(p, d);
        const opened = aead.open(d.iv, aadOf(d), d.ctextTag);
        if (!opened) throw new Error(`${w}: the AEAD refused the draft's ctext+tag`);
        plain = opened;
        aead.dispose();
        aeadOnly++;
      }
      assert.equal(toHex(plain), toHex(d.plaintext), `${w}: plaintext`);
      const u = unpad(plain);
      if (u === "padding") throw new Error(`${w}: our padding check refused the draft's padding`);
      assert.equal(toHex(u.payload), toHex(d.payload), `${w}: payload`);
      assert.equal(u.nextHeader, 1, `${w}: Next Header`);
    }
  }
  assert.deepEqual([espLayer, aeadOnly], [3 * 8, 3 * 8]);
});

test("rfc4106: sealing the draft's payload with its SPI, sequence number and IV gives the draft's packet byte for byte (OutboundSa.sealWith; the AEAD where the ESN is not an exact JS number)", () => {
  for (const { label, p } of providers()) {
    for (const d of DECODED) {
      const w = `${label} ${d.c.where}`;
      if (d.seq !== undefined) {
        const out = new OutboundSa({ spi: d.spi, esn: d.esn, keys: keysFor(p, d), random: () => { throw new Error("GCM needs no random IV"); } });
        const sealed = out.sealWith(d.seq, d.iv, d.payload, d.c.nextHeader);
        assert.equal(toHex(sealed), toHex(d.packet), `${w}: sealed packet`);
        out.dispose();
      } else {
        const aead = aeadFor(p, d);
        assert.equal(toHex(aead.seal(d.iv, aadOf(d), d.plaintext)), toHex(d.ctextTag), `${w}: ctext+tag`);
        aead.dispose();
      }
    }
  }
});

test("rfc4106: the draft pads as our rule does (RFC 4303 §2.4: fewest bytes to a 4-octet boundary, 1, 2, 3, ...), so packet lengths agree too", () => {
  const { p } = providers()[0];
  for (const d of DECODED) {
    const prot = new EspProtection(keysFor(p, d));
    assert.equal(prot.padLength(d.payload.length), d.c.padLen, `${d.c.where}: pad length`);
    assert.equal(prot.packetLength(d.payload.length), d.packet.length, `${d.c.where}: packet length`);
    const pad = d.plaintext.subarray(d.payload.length, d.plaintext.length - 2);
    assert.deepEqual([...pad], Array.from({ length: d.c.padLen }, (_, i) => i + 1), `${d.c.where}: padding bytes`);
    prot.dispose();
  }
});

test("rfc4106: through InboundSa the draft's packets authenticate (the window moves to their sequence number, ESN high half inferred) and are then dropped as next-header: tunnel mode needs 4 or 41, the draft says 1", () => {
  for (const { label, p } of providers()) {
    for (const d of SA_PATH) {
      const w = `${label} ${d.c.where}`;
      const sa = new InboundSa({ spi: d.spi, esn: d.esn, keys: keysFor(p, d) });
      const r = sa.decapsulate(d.packet);
      assert.ok(!r.ok && r.reason === "next-header", `${w}: ${r.ok ? "delivered" : r.reason}`);
      assert.equal(sa.counters.drops.icv, 0, `${w}: ICV`);
      assert.equal(sa.counters.drops["next-header"], 1);
      assert.equal(sa.window.top, d.seq, `${w}: only an authenticated packet moves the window`);
      sa.dispose();
      // Without ESN the AAD is SPI || low 32 bits (RFC 4106 §5), and the ICV fails. (The other way
      // round, a fresh ESN window places 0xffffffff before the first packet: refused as replay.)
      const other = new InboundSa({ spi: d.spi, esn: !d.esn, keys: keysFor(p, d) });
      const o = other.decapsulate(d.packet);
      const expected = d.esn || d.seq! <= 2 ** 32 - DEFAULT_REPLAY_WINDOW ? "icv" : "replay";
      assert.ok(!o.ok && o.reason === expected, `${w}: esn=${!d.esn}: ${o.ok ? "delivered" : o.reason}`);
      other.dispose();
    }
    // §4 page 7's ESN (0x87654321_00000000) is above 2^53, where the window stops (ts/esp/replay.ts):
    // placed from a window just below it, the packet is refused as unplaceable, before any crypto.
    const d = DECODED[0];
    const sa = new InboundSa({ spi: d.spi, esn: true, keys: keysFor(p, d), initialTop: 0x8765_4320_8000_0000 });
    const r = sa.decapsulate(d.packet);
    assert.ok(!r.ok && r.reason === "replay", `${label} ${d.c.where}: ${r.ok ? "delivered" : r.reason}`);
    sa.dispose();
  }
});

test("rfc4106: a one-bit change in the ICV, ciphertext, IV, SPI or sequence number of each draft packet is refused as icv (counted by InboundSa)", () => {
  for (const { label, p } of providers()) {
    for (const d of DECODED) {
      const w = `${label} ${d.c.where}`;
      const n = d.packet.length;
      const damaged = [flip(d.packet, n - 1), flip(d.packet, n - 16, 0x80), flip(d.packet, 16), flip(d.packet, n - 17, 0x10), flip(d.packet, 8), flip(d.packet, 0, 0x40), flip(d.packet, 7, 0x04)];
      if (SA_PATH.includes(d)) {
        const sa = new InboundSa({ spi: d.spi, esn: d.esn, keys: keysFor(p, d) });
        for (const [i, bad] of damaged.entries()) {
          const r = sa.decapsulate(bad);
          assert.ok(!r.ok && r.reason === "icv", `${w} damage ${i}: ${r.ok ? "delivered" : r.reason}`);
        }
        assert.equal(sa.counters.drops.icv, damaged.length, `${w}: counted`);
        assert.equal(sa.window.top, 0, `${w}: no damaged packet moved the window`);
        // The intact packet still authenticates afterwards.
        const r = sa.decapsulate(d.packet);
        assert.ok(!r.ok && r.reason === "next-header", `${w}: intact after damage: ${r.ok ? "delivered" : r.reason}`);
        sa.dispose();
      } else if (d.seq !== undefined) {
        // §4 page 7 only. With ESN, open() takes the whole sequence number from its caller, not from
        // the packet, and the damaged one (0x87654321_00000004) is no exact JS number: that damage is
        // left to the AEAD branch's kind of check, here done by the other five.
        const prot = new EspProtection(keysFor(p, d));
        for (const [i, bad] of damaged.slice(0, -1).entries()) assert.equal(prot.open(bad, d.seq, d.esn), "icv", `${w} damage ${i}`);
        prot.dispose();
      } else {
        const aead = aeadFor(p, d);
        for (const [i, bad] of damaged.entries()) {
          // What a receiver would feed the AEAD from the damaged packet: its SPI and low 32 bits, the
          // draft's high half, its IV and its ciphertext.
          const aad = aadOf(d);
          aad.set(bad.subarray(0, 4), 0);
          aad.set(bad.subarray(4, 8), aad.length - 4);
          assert.equal(aead.open(bad.subarray(8, 16), aad, bad.subarray(16)), null, `${w} damage ${i}`);
        }
        aead.dispose();
      }
    }
  }
});
