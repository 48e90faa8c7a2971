// The userspace ESP data plane (RFC 4303 tunnel mode, RFC 4106, RFC 3602 + RFC 4868, RFC 3948), sans-IO.
export { EspProtection, resolveEspTransforms, unpad, ESP_HEADER_LEN, NEXT_HEADER, type EspDirectionKeys, type OpenFailure, type Unpadded } from "./esp.ts";
export { ReplayWindow, DEFAULT_REPLAY_WINDOW, MIN_REPLAY_WINDOW, MAX_REPLAY_WINDOW } from "./replay.ts";
export {
  InboundSa, OutboundSa, DROP_REASONS, MAX_SEQ_32, MAX_SEQ_64, SEQ_SOFT_MARGIN, newDropCounters,
  type DecapResult, type DropCounters, type DropReason, type EncapResult, type EspLifetime, type InboundSaOptions, type LifetimeSignal,
  type OutboundSaOptions, type SaCounters,
} from "./sa.ts";
export { EspChildSa, createChildSa, selectorsFromText, type ChildSaOptions, type ChildSelectors } from "./child.ts";
export { EspTable, type EspEvent, type EspTableOptions, type InboundResult, type OutboundResult } from "./table.ts";
export { inspectPacket, packetAddress, IPPROTO, type PacketInfo } from "./packet.ts";
export { classifyNatT, espUdpPayload, KeepaliveTimer, NAT_KEEPALIVE, NAT_T_PORT, DEFAULT_KEEPALIVE_MS, type UdpKind } from "./udp.ts";
