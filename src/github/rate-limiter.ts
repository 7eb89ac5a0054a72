export { RateLimiter, type LimiterConfig, type LimitDecision, type QuotaState } from '../serving/rate-limiter.ts';

/** Points a request costs against the secondary limit: reads 1, writes 5 (GitHub's weights). */
export function requestPoints(method: string, route: string): number {
  if (route === 'git.upload-pack' || route === 'git.info-refs') return 1;
  if (route === 'git.receive-pack') return 5;
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 1 : 5;
}

/**
 * A GitHub App installation's primary limit: 5,000/h, plus 50/h for each repository and each
 * user over 20, capped at `max`; Enterprise Cloud installations get a flat figure.
 */
export function installationLimit(params: {
  base: number;
  max: number;
  repos: number;
  users: number;
  enterpriseCloud: boolean;
  enterpriseCloudLimit: number;
}): number {
  if (params.enterpriseCloud) return params.enterpriseCloudLimit;
  const extra = 50 * Math.max(0, params.repos - 20) + 50 * Math.max(0, params.users - 20);
  return Math.min(params.max, params.base + extra);
}
