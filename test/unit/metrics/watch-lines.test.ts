import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { LineWatch } from '../../../src/metrics/watch-lines.ts';

describe('LineWatch', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  });

  /** A server whose one route is `handler`; the kubeConfig points at it over plain HTTP. */
  async function serve(handler: http.RequestListener): Promise<{ kubeConfig: KubeConfig; urls: string[] }> {
    const urls: string[] = [];
    server = http.createServer((req, res) => {
      urls.push(req.url ?? '');
      handler(req, res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return { kubeConfig, urls };
  }

  it('hands each event line to the callback, with the query and credentials on the request, and ends with done(null)', async () => {
    let authorization: string | undefined;
    const { kubeConfig, urls } = await serve((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n{"type":"MODI');
      setTimeout(() => res.end('FIED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}\nnot json\n'), 20);
    });
    const events: [string, unknown][] = [];
    const done = await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig).watch('/apis/g/v1/things', { resourceVersion: '4', labelSelector: undefined }, (type, obj) => events.push([type, obj]), resolve);
    });
    expect(done).toBeNull();
    expect(events).toEqual([
      ['ADDED', { metadata: { name: 'a', resourceVersion: '5' } }],
      ['MODIFIED', { metadata: { name: 'a', resourceVersion: '6' } }],
    ]);
    expect(urls).toEqual(['/apis/g/v1/things?watch=true&resourceVersion=4']);
    expect(authorization).toBe('Bearer secret-token');
  });

  it('hands the callback what `pick` makes of each object', async () => {
    const { kubeConfig } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type":"ADDED","object":{"metadata":{"name":"a","managedFields":[{"manager":"m"}]}}}\n');
    });
    const objects: unknown[] = [];
    await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig, (o) => ({ picked: o })).watch('/apis/g/v1/things', {}, (_type, obj) => objects.push(obj), resolve);
    });
    expect(objects).toEqual([{ picked: { metadata: { name: 'a', managedFields: [{ manager: 'm' }] } } }]);
  });

  it('fails with the status code when the API server refuses the watch', async () => {
    const { kubeConfig } = await serve((_req, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":410}');
    });
    const err = await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig).watch('/apis/g/v1/things', {}, () => undefined, resolve);
    });
    expect(err).toBeInstanceOf(Error);
    expect((err as { statusCode?: number }).statusCode).toBe(410);
  });

  it('calls done(null) once when aborted, and ends the request on the server', async () => {
    let serverSawClose = false;
    const { kubeConfig } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('\n');
      req.on('close', () => (serverSawClose = true));
    });
    const calls: unknown[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    server!.on('request', () => setTimeout(opened, 20));
    const controller = await new LineWatch(kubeConfig).watch('/apis/g/v1/things', {}, () => undefined, (err) => calls.push(err));
    await open;
    controller.abort();
    await expect.poll(() => serverSawClose).toBe(true);
    expect(calls).toEqual([null]);
  });

  it('delivers a last event without a newline and skips lines that are not JSON objects', async () => {
    const { kubeConfig } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('null\n"text"\n{"type":"ADDED","object":{"n":1}}\n{"type":"DELETED","object":{"n":2}}');
    });
    const events: [string, unknown][] = [];
    const done = await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig).watch('/apis/g/v1/things', {}, (type, obj) => events.push([type, obj]), resolve);
    });
    expect(done).toBeNull();
    expect(events).toEqual([
      ['ADDED', { n: 1 }],
      ['DELETED', { n: 2 }],
    ]);
  });

  it('ends the watch with the rejection of an async callback, as ListWatch\'s handler is', async () => {
    const { kubeConfig } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{}}\n');
    });
    const err = await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig).watch('/apis/g/v1/things', {}, async () => Promise.reject(new Error('async handler bug')), resolve);
    });
    expect((err as Error).message).toBe('async handler bug');
  });

  it('ends the watch through done, never a rejection, when the kubeconfig\'s credentials cannot be had', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
      users: [{ name: 'u', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/nonexistent/credential-plugin', args: [], env: [] } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const calls: unknown[] = [];
    const controller = await new LineWatch(kubeConfig).watch('/apis/g/v1/things', {}, () => undefined, (err) => calls.push(err));
    expect(controller).toBeInstanceOf(AbortController);
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0]).toBeInstanceOf(Error);
  });

  it('ends the watch with the error a callback throws', async () => {
    const { kubeConfig } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{}}\n');
    });
    const err = await new Promise<unknown>((resolve) => {
      void new LineWatch(kubeConfig).watch(
        '/apis/g/v1/things',
        {},
        () => {
          throw new Error('handler bug');
        },
        resolve,
      );
    });
    expect((err as Error).message).toBe('handler bug');
  });
});
