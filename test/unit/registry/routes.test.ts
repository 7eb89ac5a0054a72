import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../../src/registry/routes.ts';

const digest = `sha256:${'a'.repeat(64)}`;

describe('registry request classification', () => {
  it.each([
    ['GET', '/v2/', { route: 'base', repository: '', pull: false, read: false }],
    ['GET', '/v2', { route: 'base', repository: '', pull: false, read: false }],
    ['GET', '/v2/_catalog?n=10', { route: 'catalog', repository: '', pull: false, read: false }],
    ['GET', '/token?scope=repository:a:pull', { route: 'token', repository: '', pull: false, read: false }],
    ['GET', '/v2/app/manifests/v1', { route: 'manifest', repository: 'app', pull: true, read: true }],
    ['HEAD', '/v2/team-1/app-3/manifests/latest', { route: 'manifest', repository: 'team-1/app-3', pull: false, read: true }],
    ['PUT', '/v2/team-1/app-3/manifests/latest', { route: 'manifest', repository: 'team-1/app-3', pull: false, read: false }],
    ['DELETE', `/v2/app/manifests/${digest}`, { route: 'manifest', repository: 'app', pull: false, read: false }],
    ['GET', `/v2/a/b/c/blobs/${digest}`, { route: 'blob', repository: 'a/b/c', pull: false, read: true }],
    ['HEAD', `/v2/app/blobs/${digest}`, { route: 'blob', repository: 'app', pull: false, read: true }],
    ['POST', '/v2/app/blobs/uploads/', { route: 'upload', repository: 'app', pull: false, read: false }],
    ['PATCH', '/v2/app/blobs/uploads/0192-uuid?_state=x', { route: 'upload', repository: 'app', pull: false, read: false }],
    ['GET', '/v2/app/blobs/uploads/0192-uuid', { route: 'upload', repository: 'app', pull: false, read: false }],
    ['GET', '/v2/app/tags/list?n=5', { route: 'tags', repository: 'app', pull: false, read: true }],
    ['GET', `/v2/app/referrers/${digest}`, { route: 'referrers', repository: 'app', pull: false, read: true }],
    // Names may contain the route words; the last marker decides.
    ['GET', '/v2/manifests/manifests/manifests/v1', { route: 'manifest', repository: 'manifests/manifests', pull: true, read: true }],
    ['GET', `/v2/blobs/tags/blobs/${digest}`, { route: 'blob', repository: 'blobs/tags', pull: false, read: true }],
  ] as const)('%s %s', (method, target, expected) => {
    expect(classifyRequest(method, target)).toEqual(expected);
  });

  it.each([['/'], ['/v2/App/manifests/v1'], ['/v2/../etc/manifests/x'], ['/v2/app/manifests/'], ['/v2/app/unknown/x'], ['/v2//manifests/v1'], ['/v2/a//b/manifests/v1']])(
    'answers %s as other, naming no repository',
    (target) => {
      expect(classifyRequest('GET', target)).toEqual({ route: 'other', repository: '', pull: false, read: false });
    },
  );
});
