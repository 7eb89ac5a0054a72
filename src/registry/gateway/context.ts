import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../serving/clock.ts';
import type { FaultDecision } from '../../serving/faults.ts';
import type { RegistryAccounting } from '../accounting.ts';
import type { Credentials } from '../credentials.ts';
import type { RegistryFaults } from '../faults.ts';
import type { PullLimits } from '../limits.ts';
import type { ClassifiedRequest } from '../routes.ts';

/** Everything the gateway holds between requests; the admin controls change it at run time. */
export interface GatewayState {
  readonly clock: Clock;
  /** Whether anonymous callers may pull; the admin API can flip it. */
  anonymousPull: boolean;
  readonly faults: RegistryFaults;
  readonly limits: PullLimits;
  readonly accounting: RegistryAccounting;
  /** What pushers and pullers present (Basic auth). */
  readonly client: Credentials;
  /** `Basic base64(user:password)` of `client`, as the usual header carries it; not enumerable. */
  readonly clientAuthorization: Buffer;
  /** The Distribution registry behind the gateway, and the gateway's own credentials there. */
  readonly upstream: { readonly host: string; readonly port: number; readonly authorization: string; readonly agent: Agent };
}

/** One request on its way through the gateway's pipeline. */
export interface GatewayExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly state: GatewayState;
  readonly method: string;
  readonly request: ClassifiedRequest;
  /** Request body bytes read so far (headers are added when the response closes). */
  readonly bodyBytes: { bytes: number };
  /** Set by `identify`: the user name, or `anonymous:<ip>` (also for bad credentials). */
  identity?: string;
  /** Set by `identify` when credentials were presented and are wrong; `authorize` answers it after the faults. */
  badCredentials?: boolean;
  /** What the faults in force do to this request; none until the faults stage decides. */
  fault: FaultDecision;
  /** Set by the limits stage: a pull counted against the identity (or served with limits off). */
  pull?: boolean;
  /** Set by the limits stage when the pull limit refused the request. */
  limited?: boolean;
}

/** The identity `identify` resolved; the stages after it run only once it has. */
export function identityOf(ctx: GatewayExchange): string {
  if (ctx.identity === undefined) throw new Error(`${ctx.request.route} reached a stage before identification`);
  return ctx.identity;
}
