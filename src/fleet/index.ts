/**
 * The spoke clusters of a run (fleets: one hub Flux managing many spokes). Each spoke is a
 * light kwokctl `--runtime binary` cluster beside the hub — etcd, kube-apiserver and
 * kube-controller-manager on 127.0.0.1, no scheduler, no kwok controller, no nodes — with a
 * self-contained kubeconfig for the hub's Secret and handles for API-server faults, deletion and
 * re-creation; or an existing cluster, a context of a kubeconfig file (contexts.ts).
 *
 * Imports go one way: this folder uses src/providers/local, src/cluster, src/lifecycle,
 * src/toolchain and src/util; none of them imports it.
 */
export {
  startSpokes,
  spokeDisabledComponents,
  spokeControllerManagerArgs,
  spokeControlPlane,
  type StartSpokesOptions,
  type StartedSpoke,
  type StartedFleet,
  type SpokeClusterStarter,
  type SpokeClusterOptions,
} from './spokes.ts';
export { contextSpoke, contextKubeconfigPath, singleContextKubeconfig, type ContextSpokeOptions } from './contexts.ts';
export { spokeClusterName, checkSpokeNames, maxSpokeNameLength } from './names.ts';
export { inlineKubeconfig, kubeconfigTls, type KubeconfigFileReader, type KubeconfigTls } from './kubeconfig.ts';
export { apiServerControl, portRefuses, readyz, type ApiServerControl, type ApiServerControlOptions } from './api-server.ts';
