import type { FluxRelease } from '../../src/toolchain/flux-release.ts';

/** Flux 2.9.5 as the toolchain resolves it on the build machine (tests that render manifests share it). */
export const fluxRelease295: FluxRelease = {
  flux: '2.9.5',
  controllers: {
    'source-controller': { release: 'v1.9.5', version: 'v1.9.5' },
    'kustomize-controller': { release: 'v1.9.5', version: 'v1.9.5' },
    'helm-controller': { release: 'v1.6.4', version: 'v1.6.4' },
    // Built from an earlier patch, but the image of the release exists and is the one to run.
    'notification-controller': { release: 'v1.9.4', version: 'v1.9.3' },
  },
};
