/**
 * OCI sources and the registry's pull limit. A registry (Docker Hub, GHCR, fluxbench's own)
 * counts pulls per identity — the authenticated user, or the client address for anonymous
 * pulls — and answers 429 TOOMANYREQUESTS once the window's quota is spent. source-controller
 * then marks the OCIRepository Ready=False (reason OCIArtifactPullFailed, the registry's error in
 * the message) and retries with back-off; everything built from it stays at its last revision.
 * Diagnosis reads who pulls from the object's spec (never a Secret's content) and names the fixes.
 */
import { asRecord, asText } from '../util/flux-object.ts';
import type { RawObject } from './state.ts';

/** Who an OCI source pulls as, as far as its spec tells: the registry host and the credentials. */
export interface PullIdentity {
  /** `host[:port]` of the `oci://` URL. */
  host: string;
  /** How the credentials are named: `Secret apps/regcred`, `anonymous`, `provider aws`, `ServiceAccount apps/puller`. */
  credentials: string;
}

/**
 * The pull identity of an OCIRepository or an OCI HelmRepository (`spec.type: oci`), from
 * spec.url and, in source-controller's order of precedence, spec.provider (a cloud workload
 * identity), spec.secretRef, spec.serviceAccountName (its image pull secrets); anonymous
 * without any. Undefined for other objects or an URL that is not `oci://`.
 */
export function pullIdentityOf(object: RawObject): PullIdentity | undefined {
  const spec = asRecord(object.spec);
  if (object.kind !== 'OCIRepository' && !(object.kind === 'HelmRepository' && spec.type === 'oci')) return undefined;
  const host = /^oci:\/\/([^/]+)/.exec(asText(spec.url) ?? '')?.[1];
  if (!host) return undefined;
  const namespace = object.metadata.namespace ?? '';
  const provider = asText(spec.provider);
  const secret = asText(asRecord(spec.secretRef).name);
  const serviceAccount = asText(spec.serviceAccountName);
  const credentials =
    provider && provider !== 'generic'
      ? `provider ${provider}`
      : secret
        ? `Secret ${namespace}/${secret}`
        : serviceAccount
          ? `ServiceAccount ${namespace}/${serviceAccount}`
          : 'anonymous';
  return { host, credentials };
}

/**
 * A registry's pull-limit refusal as it reaches the Ready message: go-containerregistry prints
 * the registry's error code (`TOOMANYREQUESTS: ...`), or the status when the answer had no body
 * (`unexpected status code 429 Too Many Requests`, as a HEAD's has); Docker Hub says "pull rate limit".
 */
const rateLimitMessage = /\bTOOMANYREQUESTS\b|\b429 Too Many Requests\b|status code 429\b|\bpull rate limit\b/i;

/** Whether a Ready message says the registry's pull limit refused the pull. */
export function isRegistryRateLimited(message: string | undefined): boolean {
  return rateLimitMessage.test(message ?? '');
}

/**
 * What to say about a source the pull limit refused: the registry, who pulls, how many sources
 * share that quota, and the fixes.
 */
export function registryRateLimitDetail(identity: PullIdentity, sharingSources: number): string {
  const who =
    identity.credentials === 'anonymous'
      ? 'anonymously (no spec.secretRef: the registry counts anonymous pulls per client address, at its lowest limit)'
      : `as ${identity.credentials}`;
  const shared = sharingSources > 1 ? `; ${sharingSources} sources pull from ${identity.host} with these credentials, on one quota` : '';
  const authenticate =
    identity.credentials === 'anonymous'
      ? 'authenticate pulls (spec.secretRef: an authenticated identity gets its own, higher limit)'
      : 'pull with credentials that have a higher limit, or spread the sources over more identities';
  return (
    `${identity.host}'s pull limit refused it (HTTP 429 TOOMANYREQUESTS), pulling ${who}${shared}. ` +
    `Fixes: ${authenticate}; raise spec.interval (every reconcile asks the registry for the manifest); ` +
    'one OCIRepository per team rather than per app (one pull for the artifacts they share); ' +
    'a pull-through cache or mirror in front of the registry'
  );
}
