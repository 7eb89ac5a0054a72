import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getLines, getText } from '../../../src/metrics/http-text.ts';

describe('getText and getLines', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** Serves `parts` as one body, each written separately (so lines cross chunks), or `status` with no body. */
  async function serve(parts: string[], status = 200): Promise<string> {
    server = http.createServer(async (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      for (const part of parts) {
        res.write(part);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  it('keeps the lines the filter accepts, across chunk boundaries and without a final newline', async () => {
    const url = await serve(['# TYPE a gauge\na 1\nb_bu', 'cket 2\na_sum', ' 3\nä 4\na 5']);
    expect(await getLines(url, 2_000, (line) => line[0] === 0x61 || line[0] === 0x23)).toBe('# TYPE a gauge\na 1\na_sum 3\na 5');
    expect(await getText(url, 2_000)).toBe('# TYPE a gauge\na 1\nb_bucket 2\na_sum 3\nä 4\na 5');
  });

  it('refuses a non-200 answer and a body that does not end in time', async () => {
    const refused = await serve(['x'], 503);
    await expect(getLines(refused, 2_000, () => true)).rejects.toThrow('HTTP 503');
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    const slow = await serve(['a 1\n', 'b 2\n', 'c 3\n']);
    await expect(getLines(slow, 3, () => true)).rejects.toThrow('no complete answer within 3 ms');
  });
});
