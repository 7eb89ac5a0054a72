import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { LineSplitter } from '../util/line-splitter.ts';

/** ListWatch's handler returns a promise (it is async), client-node's type says void. */
type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => unknown;
type DoneCallback = (err: unknown) => void;

/**
 * The watch transport of the runner's informers: client-node's `Watch` contract (one GET with
 * `watch=true` and the given query, each JSON event line handed to `callback` as (type, object,
 * event), `done` called once, with null when the stream ends and with the error when it fails;
 * a non-200 answer is an Error with `statusCode`), read straight from the response.
 *
 * Written by hand because client-node's own pipes every event through a fetch body, a
 * PassThrough and readline, layers that cost more than parsing the event: with this one the
 * measurement stack alone uses 2.4–2.5 % of a core instead of 2.9–3.6 % (bench:overhead, 1,000
 * Kustomizations). Its list, re-watch from the last resourceVersion and re-list on 410 Gone stay
 * client-node's (ListWatch).
 *
 * Credentials, CA and proxy come from the kubeconfig (`applyToHTTPSOptions`, as client-node's
 * requests). No `accept-encoding` is sent, so events arrive uncompressed: a watch is many
 * small writes, which gzip would only add CPU to on both ends. Aborting the returned controller
 * ends the request and calls `done(null)`. A line that is not a JSON object is skipped, as
 * client-node does; an exception thrown by `callback`, or a promise it returns rejecting, ends the
 * watch with that error rather than being lost, and so does a failure to get the kubeconfig's
 * credentials: `watch` itself never rejects.
 */
export class LineWatch extends Watch {
  /** `pick`: applied to each event's object before `callback` sees it (to drop what no one reads). */
  constructor(
    config: KubeConfig,
    private readonly pick: (object: unknown) => unknown = (object) => object,
  ) {
    super(config);
  }

  override async watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: WatchCallback, done: DoneCallback): Promise<AbortController> {
    const controller = new AbortController();
    let finished = false;
    const finish = (err: unknown): void => {
      if (finished) return;
      finished = true;
      controller.abort();
      done(err);
    };
    controller.signal.addEventListener('abort', () => finish(null), { once: true });
    try {
      const { url, options } = await this.requestFor(path, queryParams);
      if (!controller.signal.aborted) this.open(url, options, controller, callback, finish);
    } catch (err) {
      // Credentials that cannot be had (an exec plugin failing, a token file gone) end this watch
      // like any failure, so the informer reports it and the caller's backoff retries: a rejected
      // promise here would be unhandled in ListWatch's re-watch.
      setImmediate(() => finish(err));
    }
    return controller;
  }

  /** The watch URL and the kubeconfig's request options (credentials, CA, proxy agent). */
  private async requestFor(path: string, queryParams: Record<string, string | number | boolean | undefined>): Promise<{ url: URL; options: https.RequestOptions }> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(`${cluster.server.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(queryParams)) if (value !== undefined) url.searchParams.set(key, String(value));
    const options: https.RequestOptions = {};
    await this.config.applyToHTTPSOptions(options);
    return { url, options };
  }

  /** Sends the GET and feeds each event line to `callback` until the stream ends, fails or is aborted. */
  private open(url: URL, options: https.RequestOptions, controller: AbortController, callback: WatchCallback, finish: (err: unknown) => void): void {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const request = get(url, { ...options, headers: { ...options.headers, accept: 'application/json' }, signal: controller.signal }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        const status = response.statusCode ?? 0;
        finish(Object.assign(new Error(response.statusMessage || STATUS_CODES[status] || 'Internal Server Error'), { statusCode: status }));
        return;
      }
      const lines = new LineSplitter((line) => this.deliver(line, callback, finish));
      response.on('data', (chunk: Buffer) => {
        try {
          lines.push(chunk);
        } catch (err) {
          finish(err);
        }
      });
      response.on('end', () => {
        // The last event need not end with a newline (readline, client-node's reader, delivers it too).
        try {
          lines.flush();
        } catch (err) {
          finish(err);
        }
        finish(null);
      });
      response.on('close', () => finish(null));
      response.on('error', (err) => finish(controller.signal.aborted ? null : err));
    });
    // TCP keepalive probes after 30 s idle, as client-node's watch sets: with Linux's default
    // probe count and interval a peer gone without a FIN is noticed after ~12 minutes.
    request.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    request.on('error', (err) => finish(controller.signal.aborted ? null : err));
  }

  /**
   * One event line to `callback`. A line that is not a JSON object is skipped, as client-node
   * does; a callback that throws or rejects (ListWatch's handler is async) ends the watch.
   */
  private deliver(line: Buffer, callback: WatchCallback, finish: (err: unknown) => void): void {
    let event: unknown;
    try {
      event = JSON.parse(line.toString('utf8'));
    } catch {
      return;
    }
    if (event === null || typeof event !== 'object') return;
    const { type, object } = event as { type?: unknown; object?: unknown };
    const result: unknown = callback(typeof type === 'string' ? type : '', this.pick(object), event);
    if (result instanceof Promise) result.catch(finish);
  }
}
