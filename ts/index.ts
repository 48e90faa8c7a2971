// skeyseed's library entry: the sans-IO IKEv2 engine (RFC 7296), its configuration, the crypto
// providers, and the driver that runs an engine over any runtime's UDP sockets. Deno and Bun import
// this file directly; `npm run build` bundles it for Node into dist/.
export { Endpoint, addr, exchangeName, type Counters, type EndpointOptions } from "./engine/endpoint.ts";
export { ConfigError, resolveConfig, type ChildConfig, type ConnectionConfig, type EndpointConfig, type EndpointInput, type LocalAuth, type RemoteAuth, type ResolveOptions } from "./engine/config.ts";
export type { Address, ChildSaInfo, ChildSaKeys, Datagram, EngineEvent, IkeSaInfo, LogLevel, LogRecord, Logger, Output, SelectorText } from "./engine/types.ts";
export { createProvider, createJsProvider, createNativeProvider, createWasmProvider, seededRandom, CryptoError, type ProviderName, type WasmProviderOptions } from "./crypto/index.ts";
export type { CryptoProvider, ProviderOptions, RandomSource } from "./crypto/types.ts";
export { Driver, NAT_KEEPALIVE, NON_ESP_MARKER, type DriverCounters, type DriverOptions, type LogLine, type SocketBinding } from "./io/driver.ts";
export type { Clock, Timer, UdpOpener, UdpSocket } from "./io/types.ts";
export { metricsText, statusSnapshot, type ChildSaStatus, type IkeSaStatus, type StatusSnapshot } from "./io/status.ts";
export { ManualClock, MemoryNetwork, settle } from "./io/memory.ts";
