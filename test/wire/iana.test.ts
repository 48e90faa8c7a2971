// IANA registries (iana.ts): names match the registry, values are unique, unknown and private-use
// values get names that say so, and open fields carry any number through a round trip.
import assert from "node:assert/strict";
import * as iana from "../../ts/wire/iana.ts";
import { AuthMethod, CertEncoding, CpAttributeType, EncrId, ExchangeType, IdType, isErrorNotify, KeId, nameOf, NotifyType, PayloadType, transformIdRegistry, TransformType, TsType } from "../../ts/wire/index.ts";
import { KE as CRYPTO_KE } from "../../ts/crypto/types.ts";
import { test } from "../lib/harness.ts";

test("every registry maps distinct names to distinct values", () => {
  for (const [name, reg] of Object.entries(iana)) {
    if (typeof reg !== "object" || reg === null) continue;
    const values = Object.values(reg as Record<string, number>);
    assert.equal(new Set(values).size, values.length, `${name} has a duplicate value`);
  }
});

test("Notify registry: RFC 7296 error types, and the status types 16384..16446 without a gap", () => {
  const errors: [string, number][] = [
    ["UNSUPPORTED_CRITICAL_PAYLOAD", 1], ["INVALID_IKE_SPI", 4], ["INVALID_MAJOR_VERSION", 5], ["INVALID_SYNTAX", 7],
    ["INVALID_MESSAGE_ID", 9], ["INVALID_SPI", 11], ["NO_PROPOSAL_CHOSEN", 14], ["INVALID_KE_PAYLOAD", 17],
    ["AUTHENTICATION_FAILED", 24], ["SINGLE_PAIR_REQUIRED", 34], ["NO_ADDITIONAL_SAS", 35], ["INTERNAL_ADDRESS_FAILURE", 36],
    ["FAILED_CP_REQUIRED", 37], ["TS_UNACCEPTABLE", 38], ["INVALID_SELECTORS", 39], ["TEMPORARY_FAILURE", 43], ["CHILD_SA_NOT_FOUND", 44],
  ];
  for (const [n, v] of errors) assert.equal((NotifyType as Record<string, number>)[n], v, n);
  for (let v = 34; v <= 49; v++) assert.ok(!nameOf(NotifyType, v).startsWith("UNASSIGNED"), `error type ${v}`);
  for (let v = 16384; v <= 16446; v++) assert.ok(!nameOf(NotifyType, v).startsWith("UNASSIGNED"), `status type ${v}`);
  assert.equal(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED, 16430); // RFC 7383
  assert.equal(NotifyType.SIGNATURE_HASH_ALGORITHMS, 16431); // RFC 7427
  assert.equal(NotifyType.CHILDLESS_IKEV2_SUPPORTED, 16418); // RFC 6023
  assert.equal(NotifyType.REDIRECT_SUPPORTED, 16406); // RFC 5685
  assert.equal(NotifyType.REDIRECT, 16407);
  assert.equal(NotifyType.REDIRECTED_FROM, 16408);
  assert.ok(isErrorNotify(NotifyType.AUTHENTICATION_FAILED) && !isErrorNotify(NotifyType.COOKIE));
});

test("nameOf: registry names, private-use ranges and unassigned values", () => {
  assert.equal(nameOf(NotifyType, 14), "NO_PROPOSAL_CHOSEN");
  assert.equal(nameOf(NotifyType, 9000), "PRIVATE_USE(9000)");
  assert.equal(nameOf(NotifyType, 40960), "PRIVATE_USE(40960)");
  assert.equal(nameOf(NotifyType, 20000), "UNASSIGNED(20000)");
  assert.equal(nameOf(PayloadType, 33), "SA");
  assert.equal(nameOf(PayloadType, 130), "PRIVATE_USE(130)");
  assert.equal(nameOf(ExchangeType, 34), "IKE_SA_INIT");
  assert.equal(nameOf(ExchangeType, 250), "PRIVATE_USE(250)");
  assert.equal(nameOf(EncrId, 20), "ENCR_AES_GCM_16");
  assert.equal(nameOf(EncrId, 1024), "PRIVATE_USE(1024)");
  assert.equal(nameOf(IdType, 2), "ID_FQDN");
  assert.equal(nameOf(AuthMethod, 14), "DIGITAL_SIGNATURE");
  assert.equal(nameOf(CertEncoding, 4), "X509_CERT_SIGNATURE");
  assert.equal(nameOf(TsType, 8), "TS_IPV6_ADDR_RANGE");
  assert.equal(nameOf(CpAttributeType, 16385), "PRIVATE_USE(16385)");
});

test("transform ID registries by transform type; KE names agree with the crypto interface", () => {
  assert.equal(transformIdRegistry(TransformType.ENCR), EncrId);
  assert.equal(transformIdRegistry(TransformType.ADDKE3), KeId);
  assert.equal(transformIdRegistry(200), undefined);
  for (const [n, v] of Object.entries(CRYPTO_KE)) assert.equal((KeId as Record<string, number>)[n], v, n);
});
