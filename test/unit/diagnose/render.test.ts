import { describe, expect, it } from 'vitest';
import { diagnose, diagnosisSchema, emptyFluxState, renderChain, renderDiagnosisMarkdown, renderDiagnosisText } from '../../../src/diagnose/index.ts';
import type { Finding } from '../../../src/diagnose/index.ts';
import { buildFluxState, graph, ks } from './fixtures.ts';

const now = new Date('2026-11-25T12:00:00Z');

describe('renderChain', () => {
  const hop = (id: string, extra: Partial<Finding['chain'][number]> = {}) => ({ id, events: [], ...extra });

  it('names intermediate reasons and ends with the root cause', () => {
    const finding: Pick<Finding, 'chain' | 'rootCause'> = {
      chain: [
        hop('Kustomization/apps/web', { reason: 'DependencyNotReady' }),
        hop('Kustomization/infra/db', { via: 'dependsOn', reason: 'DependencyNotReady' }),
        hop('PersistentVolumeClaim/storage/pvc-x', { via: 'healthCheck', reason: 'Pending' }),
      ],
      rootCause: { type: 'object', id: 'PersistentVolumeClaim/storage/pvc-x', reason: 'Pending', message: 'storageclass "fast" not found' },
    };
    expect(renderChain(finding)).toBe('apps/web → infra/db (DependencyNotReady) → PersistentVolumeClaim/storage/pvc-x: Pending: storageclass "fast" not found');
  });

  it('renders cycles, missing objects and the link a ConfigMap makes', () => {
    expect(
      renderChain({
        chain: [hop('Kustomization/a/x'), hop('HelmRelease/a/h', { via: 'needs', through: 'ConfigMap/a/cm', reason: 'InitFailed' })],
        rootCause: { type: 'cycle', cycle: ['HelmRelease/a/h', 'Kustomization/a/x'] },
      }),
    ).toBe('a/x → HelmRelease/a/h [needs ConfigMap/a/cm]: cycle: HelmRelease/a/h → a/x → HelmRelease/a/h');
    expect(renderChain({ chain: [hop('Kustomization/a/x'), hop('Kustomization/a/gone', { via: 'dependsOn' })], rootCause: { type: 'missing', id: 'Kustomization/a/gone', referencedBy: 'Kustomization/a/x' } })).toBe(
      'a/x → a/gone: not found',
    );
  });
});

describe('renderDiagnosisText / renderDiagnosisMarkdown', () => {
  const spec = graph(
    { [ks('a', 'x')]: [ks('a', 'y')], [ks('a', 'y')]: [ks('a', 'x')], [ks('b', 'web')]: [ks('b', 'db')], [ks('b', 'db')]: [] },
    { brokenRoots: [{ id: ks('b', 'db'), reason: 'BuildFailed' }] },
  );
  const diagnosis = diagnose(buildFluxState(spec, { now }), now);

  it('text: summary, cycles, stuck chains with symptoms and events', () => {
    const text = renderDiagnosisText(diagnosis);
    expect(text.split('\n')[0]).toBe('fluxbench diagnose — all namespaces: 5 Flux objects, 4 not Ready, 4 stuck, 1 cycle, 0 missing dependencies');
    expect(text).toContain('Dependency cycles (1):\n  cycle: a/x → a/y → a/x   (edges: dependsOn, dependsOn)');
    expect(text).toContain('  b/web → b/db: BuildFailed: kustomize build failed');
    expect(text).toContain("      event b/web: Warning DependencyNotReady 60m ago: dependency 'b/db' is not ready");
    expect(text).toContain('      in_cycle: waits on itself: a/x → a/y → a/x');
  });

  it('markdown: a section with the cycle and a table whose cells escape pipes', () => {
    const withPipe = structuredClone(diagnosis);
    withPipe.findings[0]!.rootCause = { type: 'object', id: 'Kustomization/a/x', reason: 'BuildFailed', message: 'a | b' };
    const markdown = renderDiagnosisMarkdown(withPipe);
    expect(markdown.startsWith('all namespaces: 5 Flux objects')).toBe(true);
    expect(markdown).toContain('- `a/x → a/y → a/x` (dependsOn, dependsOn)');
    expect(markdown).toContain('| Object | Stuck | Symptoms | Chain to root cause |');
    expect(markdown).toContain('BuildFailed: a \\| b |');
    expect(markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Object') && !l.startsWith('| ---'))).toHaveLength(4);
  });

  it('says so when nothing is wrong', () => {
    const healthy = diagnose(emptyFluxState(now.toISOString()), now);
    expect(renderDiagnosisText(healthy)).toContain('Nothing is stuck: every Flux object is Ready.');
    expect(renderDiagnosisMarkdown(healthy, { heading: '## Diagnosis' }).startsWith('## Diagnosis\n\nall namespaces: 0 Flux objects')).toBe(true);
  });

  it('JSON round-trips through the schema', () => {
    expect(diagnosisSchema.parse(JSON.parse(JSON.stringify(diagnosis)))).toEqual(diagnosis);
  });
});
