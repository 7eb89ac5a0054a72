/**
 * OCI: the workload's manifests published as Flux OCI artifacts to a real registry (the CNCF
 * Distribution registry behind fluxbench's gateway), fetched by OCIRepositories. The generated
 * Git repos stay the source of truth, served by the fake GitHub as the CI's Git host; every
 * commit is published from them with `flux push artifact` + `flux tag artifact`, exactly as a CI
 * job does, and HelmReleases pull the chart `helm push`ed to the same registry.
 */
import { join } from 'node:path';
import { startFakeGitHub } from '../../github/index.ts';
import { createPublisher } from '../../oci/index.ts';
import { startRegistry } from '../../registry/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
import { generateWorkload, withRegistryAuth } from '../../workload/index.ts';
import type { SourceKindDefinition, StartedSourceHost } from '../types.ts';
import { createPublication, type Publication } from './publish.ts';

/** Pushes in flight at once: each is a `flux` process and a handful of registry requests. */
const publishConcurrency = 4;

function binary(binaries: Readonly<Record<string, string>> | undefined, name: string): string {
  const path = binaries?.[name];
  if (!path) throw new FluxbenchError(`workload.source oci needs the toolchain's ${name} binary (ensureToolchain() builds registry, flux and helm)`);
  return path;
}

export const ociSource: SourceKindDefinition = {
  name: 'oci',
  description: 'OCIRepositories pulling Flux artifacts (flux push artifact) and OCI Helm charts from a real registry on 127.0.0.1',
  fluxKinds: ['OCIRepository'],
  servers: ['github', 'registry'],
  /**
   * Starts the fake GitHub (storage `<storageRoot>/git`, the generated repos) and the registry
   * (storage `<storageRoot>/registry`), both on 127.0.0.1; `url` is the registry gateway, the
   * one address Flux fetches from. Throws FluxbenchError when a binary is missing or either
   * cannot start (the other is stopped first).
   */
  async start(options): Promise<StartedSourceHost> {
    const binaries = { registry: binary(options.binaries, 'registry'), flux: binary(options.binaries, 'flux') };
    const github = await startFakeGitHub({ ...options.host, storageRoot: join(options.storageRoot, 'git') }, { sink: options.sink });
    let registry: Awaited<ReturnType<typeof startRegistry>>;
    try {
      registry = await startRegistry(options.registry ?? {}, {
        binary: binaries.registry,
        storageDir: join(options.storageRoot, 'registry'),
        sink: options.sink,
        ...(options.onPid ? { onPid: options.onPid } : {}),
      });
    } catch (err) {
      await github.stop();
      throw err;
    }
    const publisher = createPublisher({
      flux: binaries.flux,
      ...(options.binaries?.helm ? { helm: options.binaries.helm } : {}),
      // CI pushes straight to the registry, as churn commits are written straight into the fake
      // GitHub's bare repos: the gateway's limits, faults and accounting are what Flux meets when
      // it pulls, and a registry.fault outage must stall Flux, not the run's own publisher.
      host: new URL(registry.upstreamUrl).host,
      username: registry.username,
      password: registry.password,
      insecure: true,
      concurrency: publishConcurrency,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let publication: Publication | undefined;
    let stopping: Promise<void> | undefined;
    return {
      kind: 'oci',
      url: registry.url,
      targets: { github, registry },
      async generate(fluxBaseUrl) {
        // Through a relay, pods reach the gateway by another address: its certificate must name it.
        await registry.tls?.addName(new URL(fluxBaseUrl).hostname.replace(/^\[(.*)\]$/, '$1'));
        const generated = await generateWorkload(options.workload, {
          storageRoot: github.storageRoot,
          // --source of every artifact: the repo on the Git host, as CI's remote.origin.url.
          gitBaseUrl: github.url,
          ociBaseUrl: `oci://${new URL(fluxBaseUrl).host}`,
          ...(registry.tls ? { registryCaPem: registry.tls.caPem } : {}),
        });
        if (generated.oci?.chart && !options.binaries?.helm) binary(options.binaries, 'helm');
        publication = createPublication(generated, publisher, join(options.storageRoot, 'exports'));
        await publication.publishAll();
        // The pull Secret joins the root objects in memory only (root.yaml on disk stays without it).
        return withRegistryAuth(generated, options.workload.flux.namespace, { username: registry.username, password: registry.password });
      },
      async announce(event) {
        if (!publication) throw new FluxbenchError('announce before generate: the OCI workload has not been published yet');
        return publication.publishCommit(event);
      },
      stop: () => (stopping ??= Promise.allSettled([registry.stop(), github.stop()]).then(() => undefined)),
    };
  },
};
