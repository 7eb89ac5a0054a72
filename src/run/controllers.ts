import type { FluxControllersConfig } from '../flux/index.ts';
import { fullControllerName, type FluxControllerName } from '../toolchain/index.ts';
import { quantityValue, type Scenario } from '../scenario/index.ts';

/** Translates the scenario's controller section into what the Flux supervisor starts. */
export function fluxControllersFromScenario(controllers: Scenario['controllers']): FluxControllersConfig {
  const settings = (c: Scenario['controllers']['source']) => ({
    ...(c.concurrent !== undefined ? { concurrent: c.concurrent } : {}),
    ...(c.requeueDependency !== undefined ? { requeueDependency: String(c.requeueDependency) } : {}),
    ...(c.featureGates ? { featureGates: c.featureGates } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.memoryLimit !== undefined ? { memoryLimitBytes: quantityValue(c.memoryLimit) } : {}),
    ...(c.tmpfs !== undefined ? { tmpfs: c.tmpfs } : {}),
    ...(c.kubeApiQps !== undefined ? { kubeApiQps: c.kubeApiQps } : {}),
    ...(c.kubeApiBurst !== undefined ? { kubeApiBurst: c.kubeApiBurst } : {}),
  });
  return {
    source: settings(controllers.source),
    // shards: 1 is one unsharded instance; N > 1 is the main instance plus N shard instances.
    kustomize: { ...settings(controllers.kustomize), shards: controllers.kustomize.shards > 1 ? controllers.kustomize.shards : 0 },
    helm: { ...settings(controllers.helm), enabled: controllers.helm.enabled },
    notification: { ...settings(controllers.notification), enabled: controllers.notification.enabled },
  };
}

/** toolchain.controllers (short names, as scenarios write them) as the toolchain takes them (module names). */
export function controllerPins(scenario: Pick<Scenario, 'toolchain'>): Partial<Record<FluxControllerName, string>> {
  return Object.fromEntries(Object.entries(scenario.toolchain.controllers).filter(([, v]) => v !== undefined).map(([short, v]) => [fullControllerName(short), v]));
}
