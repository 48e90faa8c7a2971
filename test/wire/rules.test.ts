// The per-exchange payload table (rules.ts) against RFC 7296 §1.2-§1.5 and the extensions it cites:
// valid shapes pass, and each kind of violation is a RULE_VIOLATION that names the rule.
import assert from "node:assert/strict";
import {
  checkRules, decodeMessage, decodePayloadChain, ExchangeType as X, notify, NotifyType, PayloadType as P, RULES,
  rulesFor, unknownPayload, type Payload,
} from "../../ts/wire/index.ts";
import { test } from "../lib/harness.ts";
import { buildCorpus, fill } from "./corpus.ts";
import { throwsWire } from "./helpers.ts";

const out = { encrypted: false }, inside = { encrypted: true };
const ok = (x: number, resp: boolean, types: (number | Payload)[], o = out) => checkRules(x, resp, types, o);
const bad = (x: number, resp: boolean, types: (number | Payload)[], o: { encrypted: boolean }, re: RegExp) => {
  const e = throwsWire(() => checkRules(x, resp, types, o), "RULE_VIOLATION", re);
  assert.deepEqual(e.notify, { type: NotifyType.INVALID_SYNTAX, data: new Uint8Array(0) });
};

test("every corpus message and inner chain satisfies the rules of its exchange", () => {
  for (const e of buildCorpus()) {
    const payloads = e.firstType === undefined ? decodeMessage(e.bytes).payloads : decodePayloadChain(e.firstType, e.bytes).payloads;
    checkRules(e.exchange, e.response, payloads, { encrypted: e.firstType !== undefined });
  }
});

test("IKE_SA_INIT request: SA, KE and Ni required once; N, V, CERTREQ any; nothing else", () => {
  ok(X.IKE_SA_INIT, false, [P.SA, P.KE, P.NONCE]);
  ok(X.IKE_SA_INIT, false, [P.N, P.SA, P.KE, P.NONCE, P.N, P.N, P.V, P.V, P.CERTREQ]);
  bad(X.IKE_SA_INIT, false, [P.SA, P.NONCE], out, /^IKE_SA_INIT request: KE payload required$/);
  bad(X.IKE_SA_INIT, false, [P.SA, P.SA, P.KE, P.NONCE], out, /2 SA payloads, at most 1 allowed/);
  bad(X.IKE_SA_INIT, false, [P.SA, P.KE, P.NONCE, P.AUTH], out, /AUTH payload not allowed$/);
  bad(X.IKE_SA_INIT, false, [P.SA, P.KE, P.NONCE, P.SK], out, /SK payload not allowed/);
  bad(X.IKE_SA_INIT, false, [P.SA, P.KE, P.NONCE], inside, /is never encrypted/);
});

test("IKE_SA_INIT request: N(COOKIE) must come first (RFC 7296 §2.6)", () => {
  const cookie = notify(NotifyType.COOKIE, fill(8));
  const sa = { type: P.SA, proposals: [] } as Payload, ke = { type: P.KE, group: 19, data: fill(64) } as Payload, ni = { type: P.NONCE, data: fill(16) } as Payload;
  ok(X.IKE_SA_INIT, false, [cookie, sa, ke, ni]);
  bad(X.IKE_SA_INIT, false, [sa, cookie, ke, ni], out, /N\(COOKIE\) must be the first payload/);
});

test("IKE_SA_INIT response: the full response, or notifications only (COOKIE, INVALID_KE_PAYLOAD, errors)", () => {
  ok(X.IKE_SA_INIT, true, [P.SA, P.KE, P.NONCE, P.CERTREQ, P.N, P.V]);
  ok(X.IKE_SA_INIT, true, [P.N]);
  ok(X.IKE_SA_INIT, true, [P.N, P.V]);
  bad(X.IKE_SA_INIT, true, [], out, /^IKE_SA_INIT response: Notify payload required \(as error or status notification only\)$/);
  bad(X.IKE_SA_INIT, true, [P.SA, P.KE, P.N], out, /Nonce payload required/);
});

test("IKE_AUTH outside SK: exactly one SK or one SKF, nothing else", () => {
  ok(X.IKE_AUTH, false, [P.SK]);
  ok(X.IKE_AUTH, true, [P.SKF]);
  bad(X.IKE_AUTH, false, [], out, /SK payload required/);
  bad(X.IKE_AUTH, false, [P.N, P.SK], out, /Notify payload not allowed outside SK/);
  bad(X.IKE_AUTH, false, [P.SK, P.SKF], out, /not allowed outside SK/);
  bad(X.IKE_AUTH, false, [P.IDi, P.AUTH], out, /not allowed outside SK/);
});

test("IKE_AUTH request inside SK: IDi required; AUTH, IDr, CP optional; SA/TSi/TSr together or absent (RFC 6023); EAP rounds", () => {
  ok(X.IKE_AUTH, false, [P.IDi, P.CERT, P.CERT, P.CERTREQ, P.IDr, P.AUTH, P.CP, P.SA, P.TSi, P.TSr, P.N, P.N, P.V], inside);
  ok(X.IKE_AUTH, false, [P.IDi, P.AUTH], inside); // childless (RFC 6023)
  ok(X.IKE_AUTH, false, [P.IDi, P.SA, P.TSi, P.TSr], inside); // EAP start: no AUTH
  ok(X.IKE_AUTH, false, [P.EAP], inside);
  ok(X.IKE_AUTH, false, [P.AUTH], inside);
  bad(X.IKE_AUTH, false, [P.AUTH, P.SA, P.TSi, P.TSr], inside, /^IKE_AUTH request: IDi payload required$/);
  bad(X.IKE_AUTH, false, [P.IDi, P.AUTH, P.SA, P.TSi], inside, /SA, TSi, TSr must appear together \(got only SA, TSi\)/);
  bad(X.IKE_AUTH, false, [P.IDi, P.IDr, P.IDr, P.AUTH], inside, /2 IDr payloads, at most 1 allowed/);
  bad(X.IKE_AUTH, false, [P.IDi, P.AUTH, P.KE], inside, /KE payload not allowed inside SK/);
  bad(X.IKE_AUTH, false, [P.IDi, P.AUTH, P.SK], inside, /SK payload not allowed inside SK/);
});

test("IKE_AUTH response inside SK: IDr+AUTH, EAP rounds, RFC 5998 EAP-only, final AUTH, or notifications only", () => {
  ok(X.IKE_AUTH, true, [P.IDr, P.CERT, P.AUTH, P.CP, P.SA, P.TSi, P.TSr, P.N], inside);
  ok(X.IKE_AUTH, true, [P.IDr, P.AUTH, P.EAP], inside);
  ok(X.IKE_AUTH, true, [P.EAP], inside);
  ok(X.IKE_AUTH, true, [P.IDr, P.EAP], inside);
  ok(X.IKE_AUTH, true, [P.AUTH, P.SA, P.TSi, P.TSr], inside);
  ok(X.IKE_AUTH, true, [P.N], inside);
  bad(X.IKE_AUTH, true, [P.IDr, P.SA, P.TSi, P.TSr], inside, /^IKE_AUTH response: AUTH payload required$/);
  bad(X.IKE_AUTH, true, [P.IDr, P.AUTH, P.IDi], inside, /IDi payload not allowed inside SK/);
  bad(X.IKE_AUTH, true, [], inside, /^IKE_AUTH response: EAP payload required \(as EAP round \(RFC 7296 §2.16\)\)$/);
});

test("CREATE_CHILD_SA: SA and Nonce required, KE optional, TSi/TSr together (absent when rekeying the IKE SA)", () => {
  ok(X.CREATE_CHILD_SA, false, [P.N, P.SA, P.NONCE, P.KE, P.TSi, P.TSr], inside);
  ok(X.CREATE_CHILD_SA, false, [P.SA, P.NONCE, P.KE], inside);
  ok(X.CREATE_CHILD_SA, true, [P.SA, P.NONCE, P.TSi, P.TSr], inside);
  ok(X.CREATE_CHILD_SA, true, [P.N], inside); // NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, TEMPORARY_FAILURE...
  bad(X.CREATE_CHILD_SA, false, [P.SA, P.KE, P.TSi, P.TSr], inside, /^CREATE_CHILD_SA request: Nonce payload required$/);
  bad(X.CREATE_CHILD_SA, false, [P.SA, P.NONCE, P.TSi], inside, /TSi, TSr must appear together/);
  bad(X.CREATE_CHILD_SA, false, [P.SA, P.NONCE, P.KE, P.KE], inside, /2 KE payloads, at most 1 allowed/);
  bad(X.CREATE_CHILD_SA, true, [P.SA, P.NONCE, P.IDr], inside, /IDr payload not allowed inside SK/);
  bad(X.CREATE_CHILD_SA, false, [P.SA, P.NONCE], out, /SA payload not allowed outside SK/);
});

test("INFORMATIONAL: any N, D, V and one CP inside SK; empty is liveness; unprotected N only outside (RFC 7296 §1.5)", () => {
  ok(X.INFORMATIONAL, false, [], inside);
  ok(X.INFORMATIONAL, false, [P.D, P.D, P.N, P.V], inside);
  ok(X.INFORMATIONAL, true, [P.CP], inside);
  ok(X.INFORMATIONAL, true, [P.N], out);
  ok(X.INFORMATIONAL, false, [P.SK], out);
  bad(X.INFORMATIONAL, false, [P.SA], inside, /SA payload not allowed inside SK/);
  bad(X.INFORMATIONAL, false, [P.CP, P.CP], inside, /2 CP payloads, at most 1 allowed/);
  bad(X.INFORMATIONAL, false, [P.D], out, /Delete payload not allowed outside SK/);
  bad(X.INFORMATIONAL, false, [P.N, P.SK], out, /Notify payload not allowed outside SK/);
});

test("IKE_SESSION_RESUME (RFC 5723 §4.1), IKE_INTERMEDIATE (RFC 9242) and IKE_FOLLOWUP_KE (RFC 9370)", () => {
  ok(X.IKE_SESSION_RESUME, false, [P.NONCE, P.N]);
  ok(X.IKE_SESSION_RESUME, true, [P.NONCE]);
  ok(X.IKE_SESSION_RESUME, true, [P.N]);
  bad(X.IKE_SESSION_RESUME, false, [P.NONCE], out, /Notify payload required/);
  ok(X.IKE_INTERMEDIATE, false, [P.KE], inside);
  ok(X.IKE_INTERMEDIATE, true, [], inside);
  ok(X.IKE_FOLLOWUP_KE, false, [P.KE, P.N], inside);
  bad(X.IKE_FOLLOWUP_KE, false, [P.KE], inside, /Notify payload required/);
});

test("unknown payload types are ignored (RFC 7296 §2.5); SK must be last; unknown exchanges have no rules", () => {
  ok(X.IKE_SA_INIT, false, [P.SA, 200, P.KE, P.NONCE, unknownPayload(49, fill(2))]);
});

test("payloads of unknown types after SK are ignored; exchange types without rules are refused", () => {
  ok(X.INFORMATIONAL, false, [P.SK, 200], out);
  assert.equal(rulesFor(99, false), undefined);
  bad(99, false, [], out, /^exchange type 99 request: no payload rules for this exchange type$/);
  assert.ok(RULES.length >= 12);
  for (const r of RULES) assert.ok(r.outer.length > 0, r.name);
});
