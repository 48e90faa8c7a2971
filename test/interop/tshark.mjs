// Independent check of a fixture: tshark (Wireshark 4.0) decrypts the capture with the key tables
// the fixture ships, and its plaintext must equal ours for every encrypted IKE message and ESP packet.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./lab.mjs";

/** Returns { version, ike: { checked, decrypted }, esp: { checked, decrypted }, problems: [] }. */
export async function tsharkCheck(pcapPath, fixture) {
  const conf = mkdtempSync(join(tmpdir(), "sks-tshark-"));
  try {
    writeFileSync(join(conf, "ikev2_decryption_table"), fixture.wireshark.ikev2);
    writeFileSync(join(conf, "esp_sa"), fixture.wireshark.esp);
    const env = { WIRESHARK_CONFIG_DIR: conf, HOME: conf };
    const version = (await run(["tshark", "-v"], { env })).stdout.split("\n")[0];
    // -x adds the raw bytes of every field, including the decrypted ones ("..._raw": [hex, offset, length, ...]).
    const r = await run(["tshark", "-r", pcapPath, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
      "-T", "json", "-x", "--no-duplicate-keys"], { env, timeoutMs: 120_000 });
    const frames = new Map();
    for (const pkt of JSON.parse(r.stdout)) {
      const layers = pkt._source.layers;
      const found = {};
      collect(layers.isakmp ?? {}, found);
      collect(layers.esp ?? {}, found);
      frames.set(Number(layers.frame["frame.number"]), found);
    }
    const problems = [];
    const ike = { checked: 0, decrypted: 0 }, esp = { checked: 0, decrypted: 0 };
    for (const m of fixture.messages) {
      if (m.decryptedHex === undefined) continue;
      ike.checked++;
      const f = frames.get(m.frame) ?? {};
      const dec = f["isakmp.enc.decrypted_raw"]?.[0] ?? "";
      // tshark's "Decrypted Data" still holds the padding and the Pad Length octet.
      const padLen = dec ? parseInt(dec.slice(-2), 16) : -1;
      if (f.integrityBad) problems.push(`IKE message ${m.i} (frame ${m.frame}): tshark says the integrity check failed`);
      else if (dec.startsWith(m.decryptedHex) && dec.length === m.decryptedHex.length + 2 * (padLen + 1)) ike.decrypted++;
      else problems.push(`IKE message ${m.i} (frame ${m.frame}): tshark ${dec ? "decrypted it differently" : "did not decrypt it"}`);
    }
    for (const p of fixture.esp) {
      esp.checked++;
      const f = frames.get(p.frame) ?? {};
      const dec = f["esp.decrypted_data_raw"]?.[0] ?? "";
      if (dec.startsWith(p.innerPacketHex) && f["esp.icv_good"] !== "0") esp.decrypted++;
      else problems.push(`ESP packet ${p.i} (frame ${p.frame}): tshark ${dec ? "decrypted it differently" : "did not decrypt it"}`);
    }
    return { version, ike, esp, problems };
  } finally {
    rmSync(conf, { recursive: true, force: true });
  }
}

// Flattens the fields we look at out of tshark's nested JSON tree (first occurrence wins).
function collect(node, out) {
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (/integrity_checksum/.test(k)) out.integrityBad = true;
    if (!(k in out) && (k === "isakmp.enc.decrypted_raw" || k === "esp.decrypted_data_raw" || k === "esp.icv_good")) {
      out[k] = Array.isArray(v) && Array.isArray(v[0]) ? v[0] : v;
    }
    collect(v, out);
  }
}
