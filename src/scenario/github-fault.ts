/**
 * Converts a timeline's `github.fault` action into the fault spec the fake GitHub's fault
 * controller takes, so the runner hands it over without knowing either format.
 */
import type { FaultSpecInput } from '../github/index.ts';
import type { TimelineAction } from './timeline-schema.ts';

export type GitHubFaultAction = Extract<TimelineAction, { action: 'github.fault' }>;

export function toFakeGitHubFault(action: GitHubFaultAction): FaultSpecInput {
  const match = { route: action.route ?? '*', repo: action.repo ?? '*' };
  const common = { match, ...(action.duration !== undefined ? { for: action.duration } : {}) };
  switch (action.fault) {
    case 'latency':
      return { type: 'latency', ...common, fixed: action.delay, ...(action.jitter !== undefined ? { jitter: action.jitter } : {}) };
    case 'errors':
      return { type: 'error', ...common, rate: action.rate, status: action.status };
    case 'reset':
      return { type: 'reset', ...common, rate: action.rate };
    case 'outage':
      return { type: 'outage', ...common, status: action.status };
    case 'bandwidth':
      return { type: 'bandwidth', ...common, bytesPerSecond: action.bytesPerSecond };
  }
}
