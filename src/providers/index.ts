/** Providers: where the cluster comes from and how Flux runs on it, one folder each. */
export type { ProviderCapabilities, ProviderCapability } from './capabilities.ts';
export { capabilityDescriptions } from './capabilities.ts';
export type { ProviderDefinition, ProviderStartOptions, ProviderSettings, ProviderField, ProviderFlux, ProviderSettingsShape } from './types.ts';
export { providers, providerTypes, providerDefinition, providerCapabilities, providersReading, providerSettingsShape, type ProviderType } from './registry.ts';
export { controlPlaneSettingsShape, reservedFlagReason, splitControlPlaneSettings, type ControlPlaneSettings, type ControlPlaneComponent } from './control-plane.ts';
export { controlPlaneProblems } from './control-plane-problems.ts';
export { startEnvironment, type Environment, type EnvironmentOptions } from './environment.ts';
export * from './local/index.ts';
export * from './kind/index.ts';
export * from './k3s/index.ts';
export * from './existing/index.ts';
