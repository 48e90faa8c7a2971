// The crypto layer's public entry: the provider interface, its errors, the three providers and a
// seedable RandomSource. Each provider module stays importable on its own (ts/crypto/wasm/provider.ts
// pulls in no node:crypto; ts/crypto/native/provider.ts is the only file that imports it).
import type { CryptoProvider, ProviderOptions } from "./types.ts";
import { CryptoError } from "./errors.ts";
import { createWasmProvider, type WasmProviderOptions } from "./wasm/provider.ts";
import { createNativeProvider } from "./native/provider.ts";
import { createJsProvider } from "./js/provider.ts";

export * from "./types.ts";
export { CryptoError, equalBytes, wipe, type CryptoErrorCode } from "./errors.ts";
export { seededRandom } from "./random.ts";
export { createWasmProvider, createNativeProvider, createJsProvider, type WasmProviderOptions };

export type ProviderName = CryptoProvider["name"];

/** The provider called `name`: "wasm" (default kernels), "native" (node:crypto) or "js" (reference). */
export function createProvider(name: ProviderName, opts: WasmProviderOptions | ProviderOptions): CryptoProvider {
  switch (name) {
    case "wasm": return createWasmProvider(opts);
    case "native": return createNativeProvider(opts);
    case "js": return createJsProvider(opts);
  }
  throw new CryptoError("UNSUPPORTED", "createProvider", `unknown provider ${String(name)} (wasm, native or js)`);
}
