// SA payload construction from configured proposals and selection among a peer's offer
// (RFC 7296 §2.7, §3.3): the responder picks by its own preference among what the peer offers and
// answers with exactly one proposal holding one transform of each type.
import type { Proposal, SaPayload, Transform, TransformAttribute } from "../wire/payloads/sa.ts";
import { PayloadType, ProtocolId, TransformAttributeType, TransformType } from "../wire/iana.ts";
import type { EncrChoice, ProposalSpec } from "../config/proposals.ts";

/** One transform of each type: what an SA was created with. */
export interface ChosenSuite {
  encr: EncrChoice;
  prf?: number;
  integ?: number;
  ke?: number;
  esn?: number;
}

function encrTransform(e: EncrChoice): Transform {
  const attrs: TransformAttribute[] = [{ format: "TV", type: TransformAttributeType.KEY_LENGTH, value: e.keyBits }];
  return { type: TransformType.ENCR, id: e.id, attributes: attrs };
}

/**
 * The proposals we offer. `withKe`: include KE transforms (IKE SAs, and Child SAs with PFS);
 * `firstKe`: move this group to the front of each proposal's KE list (after INVALID_KE_PAYLOAD, §1.2).
 */
export function buildProposals(specs: ProposalSpec[], protocolId: number, spi: Uint8Array, opts: { withKe: boolean; firstKe?: number }): Proposal[] {
  return specs.map((s, i) => {
    const t: Transform[] = [];
    for (const e of s.encr) t.push(encrTransform(e));
    if (protocolId === ProtocolId.IKE) for (const p of s.prf) t.push({ type: TransformType.PRF, id: p, attributes: [] });
    for (const g of s.integ) t.push({ type: TransformType.INTEG, id: g, attributes: [] });
    if (opts.withKe) {
      const kes = opts.firstKe !== undefined && s.ke.includes(opts.firstKe) ? [opts.firstKe, ...s.ke.filter((k) => k !== opts.firstKe)] : s.ke;
      for (const k of kes) t.push({ type: TransformType.KE, id: k, attributes: [] });
    }
    if (protocolId === ProtocolId.ESP) for (const n of s.esn.length ? s.esn : [0]) t.push({ type: TransformType.ESN, id: n, attributes: [] });
    return { number: i + 1, protocolId, spi, transforms: t };
  });
}

export function saPayload(proposals: Proposal[]): SaPayload {
  return { type: PayloadType.SA, proposals };
}

function keyLength(t: Transform): number | undefined {
  for (const a of t.attributes) if (a.format === "TV" && a.type === TransformAttributeType.KEY_LENGTH) return a.value;
  return undefined;
}

/** Transform attributes we do not understand make a transform unacceptable (§3.3.6). */
function understood(t: Transform): boolean {
  return t.attributes.every((a) => a.format === "TV" && a.type === TransformAttributeType.KEY_LENGTH && t.type === TransformType.ENCR);
}

export interface Selection { proposal: Proposal; suite: ChosenSuite }

/**
 * Chooses, by our preference order, the first of our proposals that the peer's offer can satisfy
 * (§2.7). `needKe`: the selected proposal must include a KE transform (IKE SA, PFS); `noKe`: the peer
 * must not require one (Child SA without PFS; a proposal offering NONE (0) as a KE choice is fine).
 * Returns undefined when nothing matches (→ NO_PROPOSAL_CHOSEN).
 */
export function selectProposal(ours: ProposalSpec[], theirs: readonly Proposal[], protocolId: number, opts: { needKe: boolean; kePreference?: number }): Selection | undefined {
  for (const spec of ours) {
    for (const p of theirs) {
      if (p.protocolId !== protocolId) continue;
      const byType = (type: number) => p.transforms.filter((t) => t.type === type && understood(t));
      // Types we do not know at all in a proposal make it unacceptable (§3.3.6: "... MUST reject the proposal").
      if (p.transforms.some((t) => t.type < TransformType.ENCR || t.type > TransformType.ESN)) continue;
      const encr = spec.encr.find((e) => byType(TransformType.ENCR).some((t) => t.id === e.id && keyLength(t) === e.keyBits));
      if (!encr) continue;
      const suite: ChosenSuite = { encr };
      if (protocolId === ProtocolId.IKE) {
        const prf = spec.prf.find((x) => byType(TransformType.PRF).some((t) => t.id === x));
        if (prf === undefined) continue;
        suite.prf = prf;
      } else if (byType(TransformType.PRF).length) continue;
      const theirInteg = byType(TransformType.INTEG);
      if (spec.integ.length) {
        const integ = spec.integ.find((x) => theirInteg.some((t) => t.id === x));
        if (integ === undefined) continue;
        suite.integ = integ;
      } else if (theirInteg.some((t) => t.id !== 0)) {
        // AEAD: the peer may list INTEG NONE (0) or nothing.
        if (!theirInteg.some((t) => t.id === 0)) continue;
      }
      const theirKe = byType(TransformType.KE).map((t) => t.id);
      if (opts.needKe) {
        const cands = spec.ke.filter((k) => theirKe.includes(k));
        if (cands.length === 0) continue;
        suite.ke = opts.kePreference !== undefined && cands.includes(opts.kePreference) ? opts.kePreference : cands[0];
      } else if (theirKe.length > 0 && !theirKe.includes(0)) {
        // The peer insists on PFS: accept when our spec has a matching group.
        const cands = spec.ke.filter((k) => theirKe.includes(k));
        if (cands.length === 0) continue;
        suite.ke = opts.kePreference !== undefined && cands.includes(opts.kePreference) ? opts.kePreference : cands[0];
      } else if (spec.ke.length > 0 && theirKe.some((k) => spec.ke.includes(k))) {
        suite.ke = opts.kePreference !== undefined && spec.ke.includes(opts.kePreference) && theirKe.includes(opts.kePreference) ? opts.kePreference : spec.ke.find((k) => theirKe.includes(k));
      }
      if (protocolId === ProtocolId.ESP) {
        const theirEsn = byType(TransformType.ESN).map((t) => t.id);
        const esn = (spec.esn.length ? spec.esn : [0]).find((x) => theirEsn.length === 0 ? x === 0 : theirEsn.includes(x));
        if (esn === undefined) continue;
        suite.esn = esn;
      }
      return { proposal: p, suite };
    }
  }
  return undefined;
}

/** The single-proposal SA we answer with (§3.3: one transform of each type, the peer's proposal number). */
export function answerProposal(sel: Selection, spi: Uint8Array): Proposal {
  const s = sel.suite;
  const t: Transform[] = [encrTransform(s.encr)];
  if (s.prf !== undefined) t.push({ type: TransformType.PRF, id: s.prf, attributes: [] });
  if (s.integ !== undefined) t.push({ type: TransformType.INTEG, id: s.integ, attributes: [] });
  if (s.ke !== undefined) t.push({ type: TransformType.KE, id: s.ke, attributes: [] });
  if (s.esn !== undefined) t.push({ type: TransformType.ESN, id: s.esn, attributes: [] });
  return { number: sel.proposal.number, protocolId: sel.proposal.protocolId, spi, transforms: t };
}

/**
 * The initiator's check of the answer (§2.7): exactly one proposal, one transform per type, all of
 * them among what we offered in the proposal with that number. Returns the suite or a reason.
 */
export function checkAnswer(offered: Proposal[], answer: SaPayload, protocolId: number): ChosenSuite | string {
  if (answer.proposals.length !== 1) return `the answer holds ${answer.proposals.length} proposals, not one`;
  const a = answer.proposals[0];
  if (a.protocolId !== protocolId) return `the answer is for protocol ${a.protocolId}, not ${protocolId}`;
  const mine = offered.find((p) => p.number === a.number);
  if (!mine) return `the answer names proposal ${a.number}, which we did not offer`;
  const suite: Partial<ChosenSuite> = {};
  const seen = new Set<number>();
  for (const t of a.transforms) {
    if (seen.has(t.type)) return `the answer holds two transforms of type ${t.type}`;
    seen.add(t.type);
    const offeredT = mine.transforms.find((o) => o.type === t.type && o.id === t.id && keyLength(o) === keyLength(t));
    if (!offeredT && !(t.type === TransformType.INTEG && t.id === 0) && !(t.type === TransformType.KE && t.id === 0)) return `the answer chose transform ${t.type}/${t.id}, which we did not offer`;
    switch (t.type) {
      case TransformType.ENCR: { const kl = keyLength(t); if (kl === undefined) return "the chosen cipher lacks a key length"; suite.encr = { id: t.id, keyBits: kl }; break; }
      case TransformType.PRF: suite.prf = t.id; break;
      case TransformType.INTEG: if (t.id !== 0) suite.integ = t.id; break;
      case TransformType.KE: if (t.id !== 0) suite.ke = t.id; break;
      case TransformType.ESN: suite.esn = t.id; break;
      default: return `the answer holds a transform of unknown type ${t.type}`;
    }
  }
  if (!suite.encr) return "the answer chose no cipher";
  if (protocolId === ProtocolId.IKE && suite.prf === undefined) return "the answer chose no PRF";
  if (protocolId === ProtocolId.IKE && suite.ke === undefined) return "the answer chose no key exchange method";
  for (const type of [TransformType.INTEG, TransformType.KE, TransformType.ESN]) {
    if (!seen.has(type) && mine.transforms.some((t) => t.type === type && t.id !== 0) && !mine.transforms.some((t) => t.type === type && t.id === 0)) {
      if (type === TransformType.INTEG && suite.encr && [18, 19, 20].includes(suite.encr.id)) continue;
      if (type === TransformType.KE && protocolId !== ProtocolId.IKE) continue;
      return `the answer omits transform type ${type}, which we required`;
    }
  }
  return suite as ChosenSuite;
}
