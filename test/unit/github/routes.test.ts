import { describe, expect, it } from 'vitest';
import { matchRoute, isRouteError } from '../../../src/github/routes.ts';

describe('matchRoute', () => {
  it('recognizes git smart-HTTP with and without .git', () => {
    expect(matchRoute('GET', '/acme/app.git/info/refs?service=git-upload-pack')).toMatchObject({ category: 'git', route: 'git.info-refs', owner: 'acme', repo: 'app', service: 'git-upload-pack' });
    expect(matchRoute('POST', '/acme/app/git-receive-pack')).toMatchObject({ route: 'git.receive-pack', repo: 'app' });
    expect(matchRoute('POST', '/acme/my.repo.git/git-upload-pack')).toMatchObject({ route: 'git.upload-pack', repo: 'my.repo' });
  });

  it('refuses unknown services and wrong methods', () => {
    expect(matchRoute('GET', '/acme/app.git/info/refs?service=git-upload-archive')).toMatchObject({ error: true, status: 403 });
    expect(matchRoute('GET', '/acme/app.git/info/refs')).toMatchObject({ error: true, status: 403 });
    expect(matchRoute('GET', '/acme/app.git/git-upload-pack')).toMatchObject({ error: true, status: 405 });
  });

  it('rejects traversal, encoded slashes, backslashes, absolute-form and bad names', () => {
    for (const url of [
      '/acme/../etc/info/refs?service=git-upload-pack',
      '/acme/%2e%2e/info/refs?service=git-upload-pack',
      '/acme%2fapp/info/refs?service=git-upload-pack',
      '/acme\\app/info/refs?service=git-upload-pack',
      'http://evil.example/acme/app.git/info/refs',
      '//acme/app.git/info/refs',
      '/acme/app%00.git/info/refs?service=git-upload-pack',
      '/acme/%E0%A4%A/info/refs',
    ]) {
      const m = matchRoute('GET', url);
      expect(isRouteError(m), url).toBe(true);
      if (isRouteError(m)) expect(m.status).toBeLessThan(500);
    }
    expect(matchRoute('GET', '/-acme/app.git/info/refs?service=git-upload-pack')).toMatchObject({ error: true, status: 404 });
    expect(matchRoute('GET', '/acme/.hidden.git/info/refs?service=git-upload-pack')).toMatchObject({ error: true, status: 404 });
  });

  it('maps REST routes, with and without /api/v3', () => {
    expect(matchRoute('GET', '/rate_limit')).toMatchObject({ route: 'rest.rate_limit' });
    expect(matchRoute('GET', '/api/v3/repos/acme/app')).toMatchObject({ route: 'rest.repo', owner: 'acme', repo: 'app' });
    expect(matchRoute('GET', '/repos/acme/app/commits/feature/x')).toMatchObject({ route: 'rest.commit', ref: 'feature/x' });
    expect(matchRoute('GET', '/repos/acme/app/commits/main/statuses?per_page=50')).toMatchObject({ route: 'rest.statuses.list', ref: 'main' });
    expect(matchRoute('GET', '/repos/acme/app/commits/abc123/status')).toMatchObject({ route: 'rest.status.combined', ref: 'abc123' });
    expect(matchRoute('POST', '/api/v3/repos/acme/app/statuses/abc123')).toMatchObject({ route: 'rest.statuses.create', ref: 'abc123' });
    expect(matchRoute('POST', '/app/installations/12/access_tokens')).toMatchObject({ route: 'rest.app.access_tokens', installationId: 12 });
    expect(matchRoute('GET', '/repos/acme/app/commits/--upload-pack=x')).toMatchObject({ route: 'rest.unknown' });
    expect(matchRoute('GET', '/gists')).toMatchObject({ route: 'rest.unknown' });
    // Endpoints not served still name their repository (for accounting and fault matches).
    expect(matchRoute('POST', '/repos/acme/app/pulls')).toMatchObject({ route: 'rest.unknown', owner: 'acme', repo: 'app' });
    expect(matchRoute('GET', '/repos/acme/app/commits/--upload-pack=x')).toMatchObject({ owner: 'acme', repo: 'app' });
    expect(matchRoute('GET', '/gists')).not.toHaveProperty('owner');
  });

  it('maps pages and admin paths', () => {
    expect(matchRoute('GET', '/pages/acme/charts/index.yaml')).toMatchObject({ category: 'pages', rest: ['index.yaml'] });
    expect(matchRoute('GET', '/pages/acme/charts/.git/config')).toMatchObject({ error: true, status: 404 });
    expect(matchRoute('GET', '/_fluxbench/faults')).toMatchObject({ category: 'admin', rest: ['faults'] });
  });

  it('maps generic webhooks to the repository they are about, POST only', () => {
    expect(matchRoute('POST', '/hooks/fleet/apps')).toMatchObject({ category: 'hooks', route: 'hooks.generic', owner: 'fleet', repo: 'apps' });
    expect(matchRoute('GET', '/hooks/fleet/apps')).toMatchObject({ error: true, status: 405 });
    expect(matchRoute('POST', '/hooks/fleet/apps/extra')).toMatchObject({ error: true, status: 404 });
    expect(matchRoute('POST', '/hooks/fleet/apps.git')).toMatchObject({ error: true, status: 404 });
  });
});
