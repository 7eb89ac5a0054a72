/** Small builders of Flux objects as the API returns them, at a fixed clock, for diagnosis tests. */
import { emptyFluxState } from '../../../src/diagnose/index.ts';
import type { FluxState, RawObject } from '../../../src/diagnose/index.ts';

export const now = new Date('2026-11-25T12:00:00Z');
export const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
export const min = 60_000;

export function kustomization(name: string, status: Record<string, unknown>, extra: { spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): RawObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'apps', generation: 1, creationTimestamp: ago(600 * min), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { interval: '5m', path: './', sourceRef: { kind: 'GitRepository', name: 'repo' }, ...extra.spec },
    status,
  };
}

export function gitRepository(revision: string, updatedAgo: number, extra: { spec?: Record<string, unknown>; conditions?: unknown[] } = {}): RawObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'repo', namespace: 'apps' },
    spec: { interval: '1m', ...extra.spec },
    status: {
      artifact: { revision, lastUpdateTime: ago(updatedAgo) },
      conditions: extra.conditions ?? [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'stored', lastTransitionTime: ago(updatedAgo) }],
    },
  };
}

export function ready(status: string, reason: string, message: string, since: number) {
  return { type: 'Ready', status, reason, message, lastTransitionTime: ago(since) };
}

export function stateOf(...objects: RawObject[]): FluxState {
  const state = emptyFluxState(now.toISOString());
  state.objects.push(...objects);
  return state;
}
