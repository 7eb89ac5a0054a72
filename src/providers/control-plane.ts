/**
 * The scenario's control-plane knobs (`provider.apiServer`, `provider.etcd`,
 * `provider.controllerManager`): API Priority and Fairness and extra flags for kube-apiserver,
 * etcd and kube-controller-manager. Only a provider that starts those components itself can
 * honour them; it says so with the `controlPlaneFlags` capability, and validation refuses them
 * on every other provider.
 */
import { z } from 'zod';

export type ControlPlaneComponent = 'kube-apiserver' | 'etcd' | 'kube-controller-manager';

/** Why a flag cannot be passed: fluxbench sets it, and the run depends on its value. */
interface ReservedFlag {
  /** The flag names (without `--`) the rule covers: exact names or a prefix ending in `-`. */
  names: readonly string[];
  prefixes?: readonly string[];
  why: string;
}

const addresses: ReservedFlag = {
  names: ['bind-address', 'secure-port', 'port', 'address', 'advertise-address', 'insecure-bind-address', 'insecure-port', 'initial-cluster'],
  prefixes: ['listen-', 'advertise-', 'initial-advertise-'],
  why: 'fluxbench binds every component to 127.0.0.1 on ports it chooses, and its kubeconfig and samplers rely on them',
};
const credentials: ReservedFlag = {
  names: [
    'kubeconfig',
    'authentication-kubeconfig',
    'authorization-kubeconfig',
    'tls-cert-file',
    'tls-private-key-file',
    'client-ca-file',
    'root-ca-file',
    'cert-file',
    'key-file',
    'trusted-ca-file',
    'service-account-issuer',
  ],
  prefixes: ['service-account-', 'proxy-client-', 'peer-'],
  why: "the components share the certificates and kubeconfigs kwokctl makes for the cluster, which fluxbench's kubeconfig must match",
};

const reserved: Readonly<Record<ControlPlaneComponent, readonly ReservedFlag[]>> = {
  'kube-apiserver': [
    addresses,
    credentials,
    { names: ['etcd-servers', 'etcd-prefix'], why: "the API server must store its objects in the run's etcd" },
    { names: ['enable-priority-and-fairness'], why: 'set provider.apiServer.priorityAndFairness instead' },
    {
      names: ['service-cluster-ip-range'],
      why: "fluxbench sets the Service range and checks the workload's Services against it at validate",
    },
  ],
  etcd: [
    addresses,
    credentials,
    { names: ['data-dir', 'wal-dir', 'name'], why: "etcd's data lives in the cluster folder that teardown deletes, under the member name kwokctl gives it" },
    { names: ['quota-backend-bytes'], why: "fluxbench sets etcd's quota and checks the workload's size against it at validate" },
  ],
  'kube-controller-manager': [addresses, credentials],
};

/** `--name=value` or `--name`: lowercase name, nothing that a shell or YAML could split. */
const flagPattern = /^--([a-z0-9][a-z0-9-]*)(=\S*)?$/;

/** The reason `flag` cannot be passed to `component`, or undefined when it can. */
export function reservedFlagReason(component: ControlPlaneComponent, flag: string): string | undefined {
  const name = flagPattern.exec(flag)?.[1];
  if (name === undefined) return undefined;
  const rule = reserved[component].find((r) => r.names.includes(name) || (r.prefixes ?? []).some((p) => name.startsWith(p)));
  return rule ? `--${name} is fluxbench's to set for ${component}: ${rule.why}` : undefined;
}

/** Extra flags of one component, checked for shape and for flags fluxbench owns. */
function flagList(component: ControlPlaneComponent) {
  return z
    .array(
      z.string().superRefine((flag, ctx) => {
        if (!flagPattern.test(flag)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${flag}" is not a flag: expected --name=value or --name (a lowercase name, no spaces or line breaks), e.g. "--v=2"`,
          });
          return;
        }
        const reason = reservedFlagReason(component, flag);
        if (reason) ctx.addIssue({ code: 'custom', message: reason });
      }),
    )
    .max(100, { error: 'at most 100 flags' })
    .optional()
    .meta({ description: `Extra ${component} flags, appended after fluxbench's own (the last value of a flag wins). A bare --name is passed as --name=true: use it for boolean flags only.` });
}

/** The fields of the scenario's `provider` section for the control plane (composed by the scenario schema). */
export const controlPlaneSettingsShape = {
  apiServer: z
    .strictObject({
      priorityAndFairness: z
        .boolean()
        .default(true)
        .meta({
          description:
            'API Priority and Fairness (default true, as in production). With it on, the Flux controllers turn off their client-side rate limiter (--kube-api-qps/--kube-api-burst); with it off they throttle themselves.',
        }),
      args: flagList('kube-apiserver'),
    })
    .optional()
    .meta({ description: "kube-apiserver's settings (providers with a control plane the run starts: local)." }),
  etcd: z
    .strictObject({ args: flagList('etcd') })
    .optional()
    .meta({ description: "etcd's settings, e.g. args: [--auto-compaction-mode=revision, --auto-compaction-retention=1000]." }),
  controllerManager: z
    .strictObject({ args: flagList('kube-controller-manager') })
    .optional()
    .meta({ description: "kube-controller-manager's settings." }),
};

/** The control-plane settings as validated (defaults applied). */
export interface ControlPlaneSettings {
  apiServer?: { priorityAndFairness: boolean; args?: string[] | undefined } | undefined;
  etcd?: { args?: string[] | undefined } | undefined;
  controllerManager?: { args?: string[] | undefined } | undefined;
}

/** The `provider` section's fields that are control-plane settings, split from the rest. */
export function splitControlPlaneSettings<T extends ControlPlaneSettings>(
  section: T,
): { controlPlane: ControlPlaneSettings; rest: Omit<T, keyof ControlPlaneSettings> } {
  const { apiServer, etcd, controllerManager, ...rest } = section;
  return {
    controlPlane: { ...(apiServer ? { apiServer } : {}), ...(etcd ? { etcd } : {}), ...(controllerManager ? { controllerManager } : {}) },
    rest,
  };
}
