/**
 * The OCI media types and annotations of what fluxbench pushes, as Flux and Helm define them
 * (fluxcd/pkg/oci, helm.sh/helm/v4/pkg/registry): what the registry stores and what an
 * OCIRepository's layerSelector picks.
 */
export const fluxMediaTypes = {
  config: 'application/vnd.cncf.flux.config.v1+json',
  content: 'application/vnd.cncf.flux.content.v1.tar+gzip',
} as const;

export const helmMediaTypes = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  chart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

/** The annotations `flux push artifact` writes from --source and --revision. */
export const ociAnnotations = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  created: 'org.opencontainers.image.created',
} as const;
