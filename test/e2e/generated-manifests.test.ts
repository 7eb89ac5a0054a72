import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Environment } from '../../src/providers/index.ts';
import { renderedManifestSample } from '../../src/workload/index.ts';
import { kubectl, startTestEnvironment } from './helpers.ts';

describe('generated manifests against the real API server', () => {
  const toolchain = inject('toolchain');
  let env: Environment;

  beforeAll(async () => {
    env = await startTestEnvironment(toolchain, {
      runDir: mkdtempSync(join(tmpdir(), 'fb-e2e-gen-')),
      nodes: 1,
      sink: { write: () => {} },
      controllers: { source: {}, kustomize: { shards: 0 }, helm: { enabled: true }, notification: { enabled: false } },
    });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('accepts a sample of every kind the generator writes (kubectl apply --dry-run=server)', async () => {
    const k = kubectl(toolchain, env.cluster.kubeconfigPath);
    const sample = renderedManifestSample(
      {
        layout: 'both',
        teams: 2,
        apps: 6,
        seed: 7,
        flux: { auth: 'basic', shards: 2 },
        helm: { releases: 2 },
        graph: { shape: 'chain', depth: 2 },
      },
      'http://127.0.0.1:1',
      6,
      { token: 'dry-run-token-123456' },
    );
    const kinds = new Set(sample.objects.map((o) => o.kind));
    for (const kind of ['Namespace', 'Deployment', 'Service', 'ConfigMap', 'GitRepository', 'Kustomization']) expect(kinds).toContain(kind);
    // Namespaces must exist for a server-side dry run of namespaced objects.
    const namespaces = sample.objects.filter((o) => o.kind === 'Namespace');
    await k(['apply', '-f', '-'], namespaces.map((n) => JSON.stringify(n)).join('\n'));
    const rest = sample.objects.filter((o) => o.kind !== 'Namespace');
    const out = await k(['apply', '--dry-run=server', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rest }));
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(rest.length);
    for (const line of lines) expect(line).toMatch(/(created|configured|unchanged) \(server dry run\)$/);
  });
});
