import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback as listen, type Listening } from '../serving/listen.ts';

export type { Listening } from '../serving/listen.ts';

/** The fake GitHub's listeners: src/serving/listen.ts, naming the fake GitHub in errors. */
export function listenOnLoopback(port: number, listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  return listen(port, listener, 'fake GitHub');
}
