// Extracts key material from a charon filelog written with ike = 4 and chd = 4 (the strings come
// from strongSwan 5.9's keymat_v2.c). Pure: text in, events out. Lines of different threads may
// interleave, so hex dumps are collected per thread.
//
// A line: `<time> <thread>[<GROUP>] [<conn|N> or <N> ]<message>`; a hex dump is a message
// `<label> => <n> bytes @ 0x<addr>` followed by lines `  <offset>: HH HH ... HH  <ascii>`.

const LINE_RE = /^(\S+) (\d+)\[([A-Z]+)\] (?:<(?:([^|>]*)\|)?(\d+)> )?(.*)$/;
const DUMP_HEAD_RE = /^(.*?) => (\d+) bytes @ (?:0x)?[0-9a-fA-F()nil]+$/;
const DUMP_ROW_RE = /^\s*(\d+): ([0-9A-F]{2}(?: [0-9A-F]{2}){0,15})(?:\s|$)/;

// Labels of keymat_v2.c, mapped to the RFC 7296 names used in keys.json.
const IKE_LABELS = {
  "shared Diffie Hellman secret": "g^ir",
  "SKEYSEED": "SKEYSEED",
  "Sk_d secret": "SK_d",
  "Sk_ai secret": "SK_ai",
  "Sk_ar secret": "SK_ar",
  "Sk_ei secret": "SK_ei",
  "Sk_er secret": "SK_er",
  "Sk_pi secret": "SK_pi",
  "Sk_pr secret": "SK_pr",
};
const CHILD_LABELS = {
  "DH secret": "g^ir",
  "seed": "seed",
  "encryption initiator key": "encr_i",
  "encryption responder key": "encr_r",
  "integrity initiator key": "integ_i",
  "integrity responder key": "integ_r",
};

/**
 * Returns { version, dumps, ikeKeys, childKeys, established }:
 * - dumps: every hex dump { line, thread, group, sa, label, hex };
 * - ikeKeys: one entry per derive_ike_keys() call, in log order, { line, sa, "g^ir", SKEYSEED, SK_d, ... };
 * - childKeys: one per derive_child_keys(), { line, sa, "g^ir"?, seed, encr_i, encr_r, integ_i?, integ_r? };
 * - established: "CHILD_SA ... established with SPIs X_i Y_o" lines { line, sa, child, in, out }.
 * `sa` is the IKE_SA named in the line prefix (for an IKE rekey that is the old SA).
 */
export function parseCharonLog(text) {
  const lines = text.split("\n");
  const open = new Map(); // thread -> dump being read
  const dumps = [], ikeKeys = [], childKeys = [], established = [];
  let version = null;
  const ikeOpen = new Map(), childOpen = new Map(); // thread -> block being filled

  const finishDump = (thread) => {
    const d = open.get(thread);
    if (!d) return;
    open.delete(thread);
    const hex = d.bytes.join("");
    if (hex.length !== d.length * 2) throw new Error(`charon log line ${d.line}: dump '${d.label}' has ${hex.length / 2} of ${d.length} bytes`);
    const dump = { line: d.line, thread, group: d.group, sa: d.sa, label: d.label, hex };
    dumps.push(dump);
    onDump(dump);
  };

  const onDump = (d) => {
    if (d.group === "IKE" && d.label in IKE_LABELS) {
      const key = IKE_LABELS[d.label];
      let block = ikeOpen.get(d.thread);
      if (key === "g^ir" || !block) {
        block = { line: d.line, sa: d.sa };
        ikeOpen.set(d.thread, block);
        ikeKeys.push(block);
      }
      // A second Sk_d/Sk_pi/Sk_pr in the same block comes from a PPK derivation: keep the first.
      if (!(key in block)) block[key] = d.hex;
      if (key === "SK_pr") ikeOpen.delete(d.thread);
    } else if (d.group === "CHD" && d.label in CHILD_LABELS) {
      const key = CHILD_LABELS[d.label];
      let block = childOpen.get(d.thread);
      if (key === "g^ir" || (key === "seed" && (!block || "seed" in block)) || !block) {
        block = { line: d.line, sa: d.sa };
        childOpen.set(d.thread, block);
        childKeys.push(block);
      }
      block[key] = d.hex;
    }
  };

  for (let n = 0; n < lines.length; n++) {
    const m = LINE_RE.exec(lines[n]);
    if (!m) continue;
    const [, , thread, group, saName, saId, msg] = m;
    const row = DUMP_ROW_RE.exec(msg);
    const cur = open.get(thread);
    if (cur && row && Number(row[1]) === cur.bytes.join("").length / 2) {
      cur.bytes.push(row[2].replace(/ /g, "").toLowerCase());
      if (cur.bytes.join("").length / 2 >= cur.length) finishDump(thread);
      continue;
    }
    finishDump(thread);
    const sa = saId !== undefined ? `${saName ?? ""}[${saId}]` : null;
    const head = DUMP_HEAD_RE.exec(msg);
    if (head) {
      open.set(thread, { line: n + 1, group, sa, label: head[1].trim(), length: Number(head[2]), bytes: [] });
      if (Number(head[2]) === 0) finishDump(thread);
      continue;
    }
    const v = /Starting IKE charon daemon \(strongSwan ([^,]+),/.exec(msg);
    if (v) version = v[1];
    const est = /CHILD_SA (\S+) established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o/.exec(msg);
    if (est) {
      established.push({ line: n + 1, sa, child: est[1], in: est[2], out: est[3] });
      const block = childOpen.get(thread);
      if (block && !block.spis) block.spis = { in: est[2], out: est[3] };
    }
  }
  for (const t of [...open.keys()]) finishDump(t);
  return { version, dumps, ikeKeys, childKeys, established };
}

/**
 * Keeps the daemon's start line (it names the version) and everything from the first IKE exchange
 * on; drops the plugin, interface and configuration dump before it.
 */
export function trimCharonLog(text) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /initiating IKE_SA|received packet|sending packet/.test(l));
  const head = lines.filter((l, i) => (start < 0 || i < start) && /Starting IKE charon daemon/.test(l));
  return [...head, ...(start < 0 ? [] : lines.slice(start))].join("\n");
}
