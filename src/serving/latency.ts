/**
 * The wait an injected latency fault adds to a request (FaultDecision.delayMs), shared by every
 * simulated host's latency stage.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `delayMs` (ms; 0 or less: no wait) unless the response closes first, as when the client
 * hangs up: then the wait ends at once, so a stalled request does not hold on to its slot.
 * Resolves true when the request should go on, false when the response closed during the wait.
 * Never rejects.
 */
export async function waitUnlessClosed(res: ServerResponse, delayMs: number): Promise<boolean> {
  if (!(delayMs > 0)) return true;
  // A client gone before this stage: its 'close' has fired already and would never end the wait.
  if (res.destroyed || res.socket?.destroyed) return false;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  try {
    await delay(delayMs, undefined, { signal: closed.signal });
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}
