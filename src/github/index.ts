export { startFakeGitHub } from './server.ts';
export { parseFakeGitHubOptions } from './options.ts';
export type { StartedFakeGitHub, FakeGitHubAdmin, StartFakeGitHubExtras } from './types.ts';
export {
  fakeGitHubOptionsSchema,
  faultSpecSchema,
  tokenSpecSchema,
  rateLimitSchema,
  webhookTargetSchema,
  trafficCategorySchema,
  faultTypes,
} from './options.ts';
export type { FakeGitHubOptions, FakeGitHubOptionsInput, FaultSpec, FaultSpecInput, FaultType, TokenSpecInput, RateLimitOptions, TrafficCategory, WebhookTarget } from './options.ts';
export { RateLimiter, installationLimit, requestPoints } from './rate-limiter.ts';
export type { LimiterConfig, LimitDecision, QuotaState } from './rate-limiter.ts';
export { systemClock, ManualClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { FaultController, parseFaultSpec } from './faults.ts';
export type { ActiveFault, FaultDecision } from './faults.ts';
export { predictTimeToExhaustion, compareExhaustion } from './accounting.ts';
export type { RequestRecord, RequestCounts, RepoRequestCounts, ExhaustionComparison, GitCost } from './accounting.ts';
export type { MaintenanceOptions } from './maintenance.ts';
export type { PackStats } from './git-processes.ts';
export { signPayload, buildPushPayload } from './webhooks.ts';
export type { WebhookDelivery } from './webhooks.ts';
export { parseCredentials, verifyAppJwt } from './auth.ts';
export type { RegisteredToken, Identity } from './auth.ts';
export { matchRoute } from './routes.ts';
export type { RouteName } from './routes.ts';
export type { RepoInfo } from './repos.ts';
export { zeroSha } from './git.ts';
