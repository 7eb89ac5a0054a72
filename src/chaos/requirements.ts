/**
 * Refusals of actions whose provider lacks a capability they require, worded per capability so
 * a scenario author learns which providers would do: "component.pause needs the control plane
 * as host processes (provider.type local), not kind".
 */
import { capabilityDescriptions, type ProviderCapability } from '../providers/capabilities.ts';
import type { SourceHostServer } from '../sources/types.ts';
import type { ChaosActionDefinition, ProviderContext, SourceContext } from './action.ts';

type Refusal = (provider: string, providersWith: string) => string;

/** How a missing capability is explained; capabilities without an entry use their description. */
const refusals: Partial<Record<ProviderCapability, Refusal>> = {
  hostControlPlane: (provider, providersWith) => `needs the control plane as host processes (provider.type ${providersWith}), not ${provider}`,
  artifactProxy: (provider, providersWith) => `needs source-controller as a host process behind the harness's proxy (provider.type ${providersWith}), not ${provider}`,
  ownsControllers: (provider, providersWith) => `needs controllers the run starts (provider.type ${providersWith}); on ${provider}, Flux is not the run's`,
};

/** "local, kind or k3s" */
function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Why `definition` cannot run on `provider` (its first missing capability), or undefined when it can. */
export function unmetRequirement(definition: Pick<ChaosActionDefinition, 'name' | 'requires'>, provider: ProviderContext): string | undefined {
  const missing = definition.requires.find((capability) => !provider.capabilities[capability]);
  if (missing === undefined) return undefined;
  const providersWith = listOr(provider.typesWith(missing));
  const refusal = refusals[missing] ?? ((type, types) => `needs ${capabilityDescriptions[missing]} (provider.type ${types}), not ${type}`);
  return `${definition.name} ${refusal(provider.type, providersWith)}`;
}

/** How refusals name a source host's servers. */
const serverDescriptions: Readonly<Record<SourceHostServer, string>> = {
  github: 'the fake GitHub',
  registry: 'the OCI registry',
};

/**
 * Why `definition` cannot run with the scenario's source kind (its host runs no server the
 * action acts on), or undefined when it can: "registry.fault acts on the OCI registry, which
 * workload.source git does not run (workload.source oci does)".
 */
export function unmetServer(definition: Pick<ChaosActionDefinition, 'name' | 'server'>, source: SourceContext): string | undefined {
  const server = definition.server;
  if (server === undefined || source.servers.includes(server)) return undefined;
  const kinds = source.kindsWith(server);
  const instead = kinds.length > 0 ? `workload.source ${listOr(kinds)} does` : 'no source kind runs one yet';
  return `${definition.name} acts on ${serverDescriptions[server]}, which workload.source ${source.kind} does not run (${instead})`;
}
