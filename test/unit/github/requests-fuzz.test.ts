/**
 * 10,000 random requests against two fake GitHubs on 127.0.0.1, over raw sockets so nothing
 * normalizes them first: methods, targets with `..`, percent-encodings and NULs, random headers
 * and credentials, gzip (good and bad) and chunked bodies, oversized and truncated uploads, to
 * git, REST, pages and the admin listener (with and without its secret). Afterwards:
 * - no answer was a 5xx but the one fault injected on purpose (502 for acme/faulty),
 * - nothing appeared beside the storage roots (only inside them),
 * - both servers still answer git, REST and admin requests.
 * The requests are sampled with fast-check from a fixed seed (printed on failure); fire them
 * again with FUZZ_SEED=<seed>.
 */
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../../src/github/index.ts';
import { gitOk, makeWorkRepo, removeDir, tempDir, withToken } from './helpers.ts';

const token = 'ghp_fuzz0000000000000000000000000000000';
const seed = Number(process.env.FUZZ_SEED ?? 20261130);
const total = 10_000;
/** Share of the requests that go to the second server's admin listener. */
const adminShare = 0.15;
const concurrency = 24;

interface FuzzRequest {
  server: 'main' | 'admin';
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  encoding: 'none' | 'gzip' | 'bad-gzip';
  framing: 'length' | 'chunked' | 'none' | 'truncated' | 'truncated-chunked' | 'both';
}

interface Answer {
  status: number | 'none' | 'timeout';
  head: string;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('acme', 'app', 'app.git', 'private', 'private.git', 'faulty', 'faulty.git', 'info', 'refs', 'git-upload-pack', 'git-receive-pack', 'repos', 'api', 'v3', 'commits', 'main', 'HEAD', 'statuses', 'status', 'pages', 'charts', 'index.yaml', 'rate_limit', 'app', 'installations', '7', 'access_tokens', 'orgs', 'users', 'installation', 'dispatches', '_fluxbench', 'health', 'tokens') },
  { weight: 3, arbitrary: fc.constantFrom('..', '.', '', '%2e%2e', '%2E%2e', '%2F', '%2f', '%00', '%5c', '%5C', '%zz', '%', '%c3%a9', '%ff', '~', '-c', '--upload-pack=touch%20pwned', 'a'.repeat(300), '.git', 'app.git.git', '..%2f..%2f', 'HEAD.lock', '@{-1}', 'main..HEAD') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
);
const query = fc.constantFrom('', '', '?service=git-upload-pack', '?service=git-receive-pack', '?service=../../bin/sh', '?per_page=-1&page=1e99', '?limit=abc', '?limit=100000000', '?%zz=1', '?a=%00', '?service=git-upload-pack&service=git-receive-pack');
const templates = [
  (r: string) => `/acme/${r}/info/refs`,
  (r: string) => `/acme/${r}/git-upload-pack`,
  (r: string) => `/acme/${r}/git-receive-pack`,
  (r: string) => `/repos/acme/${r}`,
  (r: string) => `/api/v3/repos/acme/${r}/commits/main`,
  (r: string) => `/repos/acme/${r}/commits/main/statuses`,
  (r: string) => `/repos/acme/${r}/statuses/0123456789abcdef0123456789abcdef01234567`,
  (r: string) => `/repos/acme/${r}/installation`,
  (r: string) => `/pages/acme/${r}/index.yaml`,
  () => '/app/installations/7/access_tokens',
  () => '/rate_limit',
  () => '/',
];
const target = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.nat(templates.length - 1), fc.constantFrom('app.git', 'app', 'private.git', 'faulty.git', 'charts', 'nope', '..', '%2e%2e'), query).map(([t, r, q]) => `${templates[t]!(r)}${q}`) },
  { weight: 4, arbitrary: fc.tuple(fc.array(segment, { maxLength: 7 }), query).map(([s, q]) => `/${s.join('/')}${q}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://127.0.0.1/acme/app.git/info/refs', '//acme/app', 'acme/app', '/\\..\\..\\etc\\passwd', `/${'x'.repeat(70_000)}`, '/a b', '/\u0000') },
);
const adminTarget = fc.tuple(
  fc.constantFrom('health', 'faults', 'faults/f1', 'rate-limits', 'rate-limits/reset', 'rate-limits/identity', 'tokens', 'tokens/ci', 'repos', 'notify-push', 'requests', 'webhooks', 'webhooks/deliveries', 'time-scale', 'anonymous-read', 'nope', '../tokens', '%2e%2e/x'),
  fc.constantFrom('', '?limit=-1', '?limit=1e9', '?limit=x'),
).map(([p, q]) => `/_fluxbench/${p}${q}`);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ type: fc.constantFrom('latency', 'error', 'reset', 'outage', 'bandwidth', 'nope'), rate: fc.double(), status: fc.integer(), match: fc.record({ route: fc.string(), repo: fc.string() }, { requiredKeys: [] }), fixed: fc.constantFrom('1ms', '-1s', 'x', 5), bytesPerSecond: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }),
  fc.record({ owner: fc.constantFrom('acme', 'fuzz', '..', 'a/b', '-x', 'x'.repeat(50)), name: fc.constantFrom('new', 'app', '..', '.git', 'a/../../b', 'x.git'), private: fc.boolean() }, { requiredKeys: [] }),
  fc.record({ identity: fc.constantFrom('ci', 'anonymous:127.0.0.1', '__proto__'), limit: fc.oneof(fc.integer(), fc.constant(null), fc.string()), remaining: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }),
  fc.record({ timeScale: fc.oneof(fc.double(), fc.string()), allowed: fc.oneof(fc.boolean(), fc.string()), name: fc.string({ maxLength: 70 }), token: fc.string({ maxLength: 300 }) }, { requiredKeys: [] }),
).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
const pktBody = fc
  .tuple(fc.constantFrom('want', 'have', 'command=ls-refs', 'command=fetch', 'deepen 1', 'shallow'), fc.stringMatching(/^[0-9a-f]{0,40}$/), fc.constantFrom('0009done\n', '', '0001', 'zzzz'))
  .map(([w, sha, end]) => {
    const line = `${w} ${sha}\n`;
    return Buffer.from(`${(line.length + 4).toString(16).padStart(4, '0')}${line}0000${end}`);
  });
const body = fc.oneof(
  { weight: 4, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)) },
  { weight: 3, arbitrary: jsonBody },
  { weight: 3, arbitrary: pktBody },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(300 * 1024, 0x30)) },
);
const authorization = fc.constantFrom(
  `token ${token}`, `Bearer ${token}`, basic('x-access-token', token), basic(token, ''), basic('x', 'ghp_wrong'), 'Basic', 'Basic !!!', 'Bearer', 'Bearer a.b.c',
  'Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyfQ.c2ln', 'token', 'Negotiate abc', `token ${'x'.repeat(5000)}`,
);
const header = fc.oneof(
  { weight: 3, arbitrary: authorization.map((v): [string, string] => ['Authorization', v]) },
  { weight: 2, arbitrary: fc.constantFrom('application/x-git-upload-pack-request', 'application/x-git-receive-pack-request', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', '').map((v): [string, string] => ['Content-Type', v]) },
  { weight: 1, arbitrary: fc.constantFrom('version=2', 'version=1', 'version=99', 'version=2:object-format=sha256', '').map((v): [string, string] => ['Git-Protocol', v]) },
  { weight: 1, arbitrary: fc.constantFrom('br', 'deflate', 'identity', 'gzip, gzip', 'x-gzip').map((v): [string, string] => ['Content-Encoding', v]) },
  { weight: 2, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), fc.string({ maxLength: 40, unit: fc.constantFrom('a', ' ', ':', ';', '=', ',', '"', 'é', '\t', '~') })) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })) },
);
const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'TRACE', 'PROPFIND', 'get', 'BREW', 'CONNECT') });

const request = fc.record({
  // Unbiased: fast-check's bias towards small numbers would send nearly everything to the admin listener.
  server: fc.noBias(fc.integer({ min: 0, max: 999 })).map((x): FuzzRequest['server'] => (x < adminShare * 1000 ? 'admin' : 'main')),
  method,
  target,
  adminTarget,
  headers: fc.array(header, { maxLength: 5 }),
  adminAuth: fc.constantFrom('secret', 'secret', 'secret', 'none', 'wrong', 'basic'),
  body,
  // The admin API takes JSON: mostly well-formed, so the requests reach its endpoints.
  adminBody: fc.oneof({ weight: 6, arbitrary: jsonBody }, { weight: 2, arbitrary: fc.constant(Buffer.alloc(0)) }, { weight: 1, arbitrary: body }),
  encoding: fc.constantFrom('none', 'none', 'none', 'gzip', 'bad-gzip'),
  framing: fc.constantFrom('length', 'length', 'length', 'chunked', 'none', 'truncated', 'truncated-chunked', 'both'),
});

function encode(r: FuzzRequest): { bytes: Buffer; cut: boolean } {
  const payload = r.encoding === 'gzip' ? gzipSync(r.body) : r.body;
  const head = [`${r.method} ${r.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...r.headers.map(([k, v]) => `${k}: ${v}`)];
  if (r.encoding !== 'none') head.push('Content-Encoding: gzip');
  let bodyBytes = payload;
  if (r.framing === 'length') head.push(`Content-Length: ${payload.length}`);
  else if (r.framing === 'truncated') head.push(`Content-Length: ${payload.length + 4096}`);
  else if (r.framing === 'both') head.push(`Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked');
  if (r.framing === 'chunked' || r.framing === 'truncated-chunked' || r.framing === 'both') {
    if (r.framing !== 'both') head.push('Transfer-Encoding: chunked');
    const chunks: Buffer[] = [];
    for (let at = 0; at < payload.length; at += 777) {
      const chunk = payload.subarray(at, at + 777);
      chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
    }
    if (r.framing !== 'truncated-chunked') chunks.push(Buffer.from('0\r\n\r\n'));
    bodyBytes = Buffer.concat(chunks);
  }
  if (r.framing === 'none') bodyBytes = Buffer.alloc(0);
  return { bytes: Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]), cut: r.framing.startsWith('truncated') };
}

/** Sends raw bytes; reads until the server closes (Connection: close) or 20 s pass. A cut upload hangs up right after sending. */
function send(port: number, bytes: Buffer, cut: boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (status: Answer['status']) => {
      clearTimeout(timer);
      socket.destroy();
      const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] ?? '';
      const parsed = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ status: parsed ? Number(parsed[1]) : status, head: head.slice(0, 300) });
    };
    const timer = setTimeout(() => done('timeout'), 20_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => done('none'));
    socket.on('close', () => done('none'));
    socket.write(bytes, () => {
      if (cut) setTimeout(() => socket.destroy(), 5);
    });
  });
}

async function filesBeside(root: string, keep: readonly string[]): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((path) => !keep.some((k) => path === k || path.startsWith(`${k}/`)))
    .sort();
}

describe('the fake GitHub under 10,000 random requests', () => {
  let work: string;
  let gh: StartedFakeGitHub;
  let admin: StartedFakeGitHub;
  let before: string[];

  beforeAll(async () => {
    work = await tempDir('fb-gh-fuzz-');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const limits = { token: 1_000_000_000, anonymous: 1_000_000_000, installation: 1_000_000_000, secondary: { maxConcurrent: 10_000, pointsPerMinute: 1_000_000_000 } };
    gh = await startFakeGitHub({
      storageRoot: join(work, 'storage'),
      tokens: [{ name: 'ci', token }],
      app: { id: 42, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 7 }] },
      maxBodyBytes: '256Ki',
      maxJsonBodyBytes: '16Ki',
      rateLimits: limits,
      faults: [{ type: 'error', match: { repo: 'acme/faulty' }, status: 502 }],
    });
    admin = await startFakeGitHub({ storageRoot: join(work, 'admin-storage'), tokens: [{ name: 'ci', token }], maxJsonBodyBytes: '16Ki', rateLimits: limits });
    await gh.createRepo('acme', 'app');
    await gh.createRepo('acme', 'private', { private: true });
    await gh.createRepo('acme', 'faulty');
    await makeWorkRepo(join(work, 'src'), 2);
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, token), 'main'], join(work, 'src'));
    await gitOk(['push', '-q', withToken(`${gh.url}/acme/private.git`, token), 'main'], join(work, 'src'));
    await mkdir(join(gh.storageRoot, 'pages', 'acme', 'charts'), { recursive: true });
    await writeFile(join(gh.storageRoot, 'pages', 'acme', 'charts', 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    await writeFile(join(work, 'outside.txt'), 'not to be touched');
    before = await filesBeside(work, ['storage', 'admin-storage']);
  });

  afterAll(async () => {
    await gh?.stop();
    await admin?.stop();
    await removeDir(work);
  });

  it('answers every one without an uninjected 5xx, writes nothing outside its storage, and keeps serving', async () => {
    const started = performance.now();
    const samples = fc.sample(request, { numRuns: total, seed });
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const isAdmin = s.server === 'admin';
        // On the admin listener the credential is the point: the fuzzed ones would take its place (the first Authorization wins).
        const headers = isAdmin && s.adminAuth !== 'none' ? s.headers.filter(([k]) => k !== 'Authorization') : [...s.headers];
        if (isAdmin && s.adminAuth !== 'none') {
          const secret = s.adminAuth === 'wrong' ? 'fbadmin_wrong' : admin.adminSecret;
          headers.push(['Authorization', s.adminAuth === 'basic' ? basic('x', secret) : `Bearer ${secret}`]);
        }
        const r: FuzzRequest = { ...s, target: isAdmin ? s.adminTarget : s.target, headers, ...(isAdmin ? { body: s.adminBody, encoding: s.encoding === 'gzip' ? 'none' : s.encoding } : {}) };
        const { bytes, cut } = encode(r);
        const answer = await send(isAdmin ? Number(new URL(admin.adminUrl).port) : gh.port, bytes, cut);
        const key = `${r.server} ${answer.status}${cut ? ' (cut)' : ''}`;
        if (answer.status === 'none' && !cut && process.env.FUZZ_VERBOSE) console.log(`no answer: ${r.method} ${r.target.slice(0, 100)} [${r.framing}/${r.encoding}]`);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const injected = answer.status === 502 && !isAdmin && /faulty/.test(r.target);
        const fiveHundred = typeof answer.status === 'number' && answer.status >= 500 && !injected;
        if (fiveHundred || (answer.status === 'timeout' && !cut)) {
          failures.push(`${answer.status} for ${r.server} ${r.method} ${r.target.slice(0, 120)} [${r.framing}/${r.encoding}, ${r.body.length} B, ${r.headers.map(([k]) => k).join(',')}]: ${answer.head.split('\r\n').slice(-1)[0]}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsedS = (performance.now() - started) / 1000;
    console.log(`fuzz seed ${seed}: ${total} requests in ${elapsedS.toFixed(1)} s; answers: ${[...statuses].sort().map(([k, v]) => `${k}×${v}`).join(', ')}`);
    expect(failures, `seed ${seed}`).toEqual([]);
    // Something of each kind got through, so the run fuzzed more than the router.
    for (const status of ['main 200', 'main 401', 'main 404', 'main 400', 'main 502', 'admin 200', 'admin 401']) expect(statuses.get(status) ?? 0, status).toBeGreaterThan(0);

    expect(await filesBeside(work, ['storage', 'admin-storage'])).toEqual(before);
    // Still serving: git, REST and the admin API.
    await gitOk(['ls-remote', withToken(`${gh.url}/acme/app.git`, token)], work);
    expect((await fetch(`${gh.url}/rate_limit`)).status).toBe(200);
    expect((await fetch(`${admin.adminUrl}/_fluxbench/health`, { headers: { authorization: `Bearer ${admin.adminSecret}` } })).status).toBe(200);
  }, 180_000);
});
