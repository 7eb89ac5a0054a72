/**
 * The one list of providers. Adding a provider is a folder under src/providers/ exporting a
 * `ProviderDefinition` plus one line here; validation, the runner and the CLI read the rest
 * (type names, capabilities, provider-specific fields) from the definition.
 */
import { UsageError } from '../util/exit-codes.ts';
import type { ProviderCapabilities } from './capabilities.ts';
import { existingProvider } from './existing/index.ts';
import { k3sProvider } from './k3s/index.ts';
import { kindProvider } from './kind/index.ts';
import { localProvider } from './local/index.ts';
import type { ProviderDefinition, ProviderField } from './types.ts';

/** Every provider, the default (local) first. */
export const providers = [localProvider, kindProvider, k3sProvider, existingProvider] as const satisfies readonly ProviderDefinition[];

export type ProviderType = (typeof providers)[number]['type'];

/** The `provider.type` values, from the list above, for the scenario schema and `run --provider`. */
export const providerTypes = providers.map((p) => p.type) as [ProviderType, ...ProviderType[]];

/** The definition of `type`; throws UsageError naming the allowed types for an unknown one. */
export function providerDefinition(type: string): ProviderDefinition {
  const found = providers.find((p) => p.type === type);
  if (!found) throw new UsageError(`unknown provider "${type}" (allowed: ${providerTypes.join(', ')})`);
  return found;
}

/** What `type` can do (see capabilities.ts). */
export function providerCapabilities(type: string): ProviderCapabilities {
  return providerDefinition(type).capabilities;
}

/** The providers that read a provider-specific field, for "only used with ..." messages. */
export function providersReading(field: ProviderField): string[] {
  return providers.filter((p) => field in p.settings).map((p) => p.type);
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every provider's own fields, merged (typed, so `defineScenario` knows them), for the scenario schema's `provider` section. */
export function providerSettingsShape(): UnionToIntersection<(typeof providers)[number]['settings']> {
  return Object.assign({}, ...providers.map((p) => p.settings)) as UnionToIntersection<(typeof providers)[number]['settings']>;
}
