import type { Identity } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import { durationMs } from '../options.ts';
import { docsUrl, notFound, type RestResponse } from '../rest.ts';

const installationPermissions = { contents: 'write', metadata: 'read', statuses: 'write' };

function installationJson(ctx: RequestContext, appId: string, id: number): Record<string, unknown> {
  return {
    id,
    app_id: Number(appId),
    account: { login: 'fluxbench', id: 1, type: 'Organization' },
    repository_selection: 'all',
    access_tokens_url: `${ctx.state.baseUrl}/app/installations/${id}/access_tokens`,
    permissions: installationPermissions,
    target_type: 'Organization',
  };
}

/**
 * The GitHub App routes, for callers that authenticated with the App's JWT: GET /app, the
 * installation lookups, and POST /app/installations/{id}/access_tokens, which issues an
 * installation token (`ghs_…`) valid for `app.tokenTtl`.
 */
export function appRoute(ctx: RequestContext, identity: Identity): RestResponse {
  const { state, match } = ctx;
  const app = state.options.app;
  if (identity.kind !== 'app' || !app) {
    return { status: 401, body: { message: 'A JSON web token could not be decoded', documentation_url: docsUrl } };
  }
  switch (match.route) {
    case 'rest.app':
      return { status: 200, body: { id: Number(app.id), slug: 'fluxbench', name: 'fluxbench', owner: { login: 'fluxbench', id: 1 } } };
    case 'rest.installation.lookup': {
      const first = app.installations[0];
      return first ? { status: 200, body: installationJson(ctx, app.id, first.id) } : notFound();
    }
    default: {
      const id = match.installationId!;
      if (!state.installations.has(id)) return notFound();
      if (match.route === 'rest.app.installation') return { status: 200, body: installationJson(ctx, app.id, id) };
      const expiresAt = Date.now() + durationMs(app.tokenTtl);
      const token = state.tokens.issueInstallationToken(id, expiresAt);
      return {
        status: 201,
        body: {
          token: token.token,
          expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: installationPermissions,
          repository_selection: 'all',
        },
      };
    }
  }
}
