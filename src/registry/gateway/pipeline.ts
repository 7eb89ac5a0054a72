import type { IncomingMessage, ServerResponse } from 'node:http';
import { noFault } from '../../serving/faults.ts';
import { compose, type Middleware } from '../../serving/pipeline.ts';
import { classifyRequest } from '../routes.ts';
import type { GatewayExchange, GatewayState } from './context.ts';
import { sendRegistryError } from './errors.ts';
import { proxy } from './proxy.ts';
import { accounting, authorize, faults, identify, latency, pullLimits } from './stages.ts';

/**
 * What every registry request goes through, outermost first, as the fake GitHub's pipeline
 * (src/github/dispatch.ts): accounting wraps the rest so it records whichever stage answers;
 * the caller is identified first so faults, limits and accounting see who sent it; faults come
 * before credentials are checked and pulls counted (a registry that is down answers 5xx
 * without charging anyone); latency is waited out last, before the request is forwarded.
 */
export const gatewayMiddleware: readonly Middleware<GatewayExchange>[] = [accounting, identify, faults, authorize, pullLimits, latency];

const pipeline = compose(gatewayMiddleware, proxy);

/**
 * The gateway's request handler: classifies each request (routes.ts) and runs it through the
 * pipeline to the registry. A stage that throws gets a 500 in the registry's error shape (or a
 * cut connection when the answer had begun).
 */
export function gatewayListener(state: GatewayState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => undefined);
    const method = req.method ?? 'GET';
    const ctx: GatewayExchange = { req, res, state, method, request: classifyRequest(method, req.url ?? '/'), bodyBytes: { bytes: 0 }, fault: noFault };
    pipeline(ctx).catch((err: unknown) => {
      if (!res.headersSent) sendRegistryError(res, { status: 500, code: 'UNKNOWN', message: 'unknown error', detail: (err as Error).message });
      else res.destroy();
    });
  };
}
