import { startTcpRelay, type RelayLimits, type StartedTcpRelay } from '../util/tcp-relay.ts';

export type ThrottleLimits = RelayLimits;
export type StartedThrottleProxy = StartedTcpRelay;

/**
 * A relay on 127.0.0.1 in front of a server whose responses should be slowed down at will:
 * source-controller's artifact server, so "slow artifact downloads" is a real fault that
 * kustomize- and helm-controller meet while fetching, not a simulated one.
 */
export function startThrottleProxy(target: { host: string; port: number }, listenPort = 0): Promise<StartedThrottleProxy> {
  return startTcpRelay({ listenHost: '127.0.0.1', listenPort, targetHost: target.host, targetPort: target.port });
}
