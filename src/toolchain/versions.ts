/** Versions of the toolchain a run uses; a scenario or `--flux-version` may override them. */
export interface ToolchainVersions {
  etcd: string;
  kubernetes: string;
  kwok: string;
  /** A published Flux release (flux2); its controller versions are read from that release's go.mod. */
  flux: string;
  /** The CNCF Distribution registry serving OCI sources. */
  registry: string;
  /** The Helm CLI pushing OCI charts (helm-controller 1.6 is built on Helm 4). */
  helm: string;
  /**
   * Controller versions that replace the Flux release's own (an upgrade rehearsal of one
   * controller); each must be served by the Go module proxy. Its CRDs come from its module.
   */
  controllers?: Partial<Record<FluxControllerName, string>>;
}

export const defaultVersions: ToolchainVersions = {
  etcd: '3.6.16',
  kubernetes: '1.34.4',
  kwok: '0.8.0',
  flux: '2.9.5',
  registry: '3.1.2',
  helm: '4.2.4',
};

export const fluxControllerNames = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
] as const;
export type FluxControllerName = (typeof fluxControllerNames)[number];

/** Strips a leading "v" so "v1.34.4" and "1.34.4" name the same version. */
export function bare(version: string): string {
  return version.replace(/^v/, '');
}
