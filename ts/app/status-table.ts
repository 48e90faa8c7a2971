// `gateway.ts status`: the /status snapshot printed the way `swanctl --list-sas` prints SAs, one block
// per IKE SA with its Child SAs indented under it. Our SPI is marked with `*`, as swanctl does.
import type { StatusSnapshot } from "../io/status.ts";

const ago = (s: number) => `${Math.round(s)}s`;
const endpointText = (a: string) => {
  // "1.2.3.4:500" / "[::1]:500" -> "1.2.3.4[500]" / "::1[500]" (swanctl's notation)
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(a);
  return m ? `${m[1]}[${m[2]}]` : a;
};

export function formatStatusTable(s: StatusSnapshot): string {
  const out: string[] = [];
  out.push(`${s.program} on ${s.runtime}, ${s.provider} crypto, up ${ago(s.uptimeSeconds)}; listening on ${s.listen.map((l) => l.address + (l.natt ? " (NAT-T)" : "")).join(", ")}`);
  out.push(`${s.ikeSas.length} IKE SA${s.ikeSas.length === 1 ? "" : "s"} established, ${s.halfOpen} half-open`);
  const dp = s.dataPlane;
  if (dp) {
    const c = dp.counters, drops = Object.entries(dp.drops).filter(([, n]) => n > 0);
    out.push(`data plane: ${dp.device} (MTU ${dp.mtu}): ESP ${c.espPacketsSent} packets sent, ${c.espPacketsReceived} received; ` +
      `dropped: ${drops.length ? drops.map(([k, n]) => `${n} ${k}`).join(", ") : "none"}${c.natKeepalivesSent ? `; ${c.natKeepalivesSent} NAT-keepalives sent` : ""}`);
  } else out.push("data plane: off (no tun section)");
  for (const i of s.ikeSas) {
    out.push("");
    out.push(`${i.name}: #${i.id}, ESTABLISHED, IKEv2, ${i.spiI}_i${i.initiator ? "*" : ""} ${i.spiR}_r${i.initiator ? "" : "*"}`);
    out.push(`  local  '${i.localId}' @ ${endpointText(i.local)}`);
    out.push(`  remote '${i.remoteId}' @ ${endpointText(i.remote)}${i.nat.remote ? " (behind NAT)" : ""}`);
    out.push(`  ${i.suite}`);
    const times = [`established ${ago(i.ageSeconds)} ago`];
    if (i.rekeyInSeconds !== undefined) times.push(`rekeying in ${ago(i.rekeyInSeconds)}`);
    if (i.expiresInSeconds !== undefined) times.push(`expires in ${ago(i.expiresInSeconds)}`);
    out.push(`  ${times.join(", ")}`);
    for (const c of i.children) {
      out.push(`  ${c.name}: #${c.id}, ${c.state}, ${c.mode}, ${c.protocol}:${c.suite}`);
      const ct = [`installed ${ago(c.ageSeconds)} ago`];
      if (c.rekeyInSeconds !== undefined) ct.push(`rekeying in ${ago(c.rekeyInSeconds)}`);
      if (c.expiresInSeconds !== undefined) ct.push(`expires in ${ago(c.expiresInSeconds)}`);
      out.push(`    ${ct.join(", ")}`);
      out.push(`    in  ${c.spiIn}, ${String(c.bytesIn).padStart(10)} bytes, ${String(c.packetsIn).padStart(8)} packets${c.dropsIn ? `, ${c.dropsIn} dropped` : ""}`);
      out.push(`    out ${c.spiOut}, ${String(c.bytesOut).padStart(10)} bytes, ${String(c.packetsOut).padStart(8)} packets`);
      out.push(`    local  ${c.localTs.join(" ")}`);
      out.push(`    remote ${c.remoteTs.join(" ")}`);
    }
  }
  return out.join("\n") + "\n";
}
