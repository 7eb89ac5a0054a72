/**
 * bench:github — throughput of the fake GitHub's git path against `git http-backend` behind a
 * minimal CGI server, same repos, same concurrency, same run; depth-1 clones of a large-file
 * repository and of a repository after thousands of churn pushes, against http-backend on the
 * same repositories, and against the same clone from loose or unmaintained storage
 * (bench/github-storage.ts, with its env knobs); and the per-request cost of the rate-limit
 * bookkeeping at 10,000 identities against a no-op. Prints ratios, not verdicts.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeGitHub } from '../src/github/index.ts';
import { RateLimiter } from '../src/github/rate-limiter.ts';
import { Accounting } from '../src/github/accounting.ts';
import { systemClock } from '../src/github/clock.ts';
import type { Sample } from '../src/metrics/sample.ts';
import { formatBytes } from '../src/util/units.ts';
import { churnCase, largeFileCase } from './github-storage.ts';

const execFileAsync = promisify(execFile);
const REPOS = 4;
const REPO_BYTES = 3 * 1024 * 1024;
const CONCURRENCY = 4;
const CLONES_PER_ROUND = 8;
const FETCHES_PER_ROUND = 40;
const ROUNDS = 3;
const IDENTITIES = 10_000;
const BOOKKEEPING_CALLS = 500_000;

// Bound the whole run: a wedged git must not hang CI.
setTimeout(() => {
  console.error('bench:github: gave up after 10 minutes');
  process.exit(3);
}, 600_000).unref();

const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
async function git(args: string[], cwd: string): Promise<string> {
  return (await execFileAsync('git', args, { cwd, env: gitEnv, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** The baseline: git's own http-backend as CGI, with as little server around it as possible. */
function startCgiServer(projectRoot: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else if (name) res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
    res.on('close', () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

async function measureClones(baseUrl: string, scratch: string, tag: string): Promise<number> {
  return runPool(CLONES_PER_ROUND, CONCURRENCY, async (i) => {
    const dir = join(scratch, `${tag}-${i}`);
    await git(['clone', '-q', '--bare', `${baseUrl}/bench/repo-${i % REPOS}.git`, dir], scratch);
    await rm(dir, { recursive: true, force: true });
  });
}

async function measureFetches(baseUrl: string, clones: string[]): Promise<number> {
  return runPool(FETCHES_PER_ROUND, CONCURRENCY, async (i) => {
    await git(['fetch', '-q', `${baseUrl}/bench/repo-${i % REPOS}.git`, 'main'], clones[i % clones.length]!);
  });
}

function bookkeepingBench(): { noopUs: number; limiterUs: number } {
  const limiter = new RateLimiter(
    { windowMs: 3_600_000, secondary: { enabled: true, maxConcurrent: 100, pointsPerWindow: 1e12, pointsWindowMs: 60_000, retryAfterMs: 60_000 } },
    systemClock,
  );
  const accounting = new Accounting({ write: () => undefined }, 10_000);
  const keys = Array.from({ length: IDENTITIES }, (_, i) => `token:identity-${i}`);
  for (const key of keys) limiter.acquire(key, 1e12, 1);
  for (const key of keys) limiter.release(key);
  let sink = 0;
  const noop = (key: string) => {
    sink += key.length;
  };
  const real = (key: string, i: number) => {
    const decision = limiter.acquire(key, 1e12, 1);
    limiter.release(key);
    accounting.record({ ts: i, identity: key, repo: 'bench/repo', route: 'git.upload-pack', category: 'git', method: 'POST', status: 200, bytesIn: 1, bytesOut: 1, durationMs: 1 });
    sink += decision.quota.remaining > 0 ? 1 : 0;
  };
  const time = (fn: (key: string, i: number) => void) => {
    const t = performance.now();
    for (let i = 0; i < BOOKKEEPING_CALLS; i++) fn(keys[(i * 7919) % IDENTITIES]!, i);
    return ((performance.now() - t) * 1000) / BOOKKEEPING_CALLS;
  };
  time(noop);
  time(real);
  const noopUs = time(noop);
  const limiterUs = time(real);
  if (sink < 0) console.log(sink);
  return { noopUs, limiterUs };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'fluxbench-bench-github-'));
  const samples: Sample[] = [];
  const gh = await startFakeGitHub({ storageRoot: join(root, 'storage'), rateLimits: { anonymous: 1_000_000_000 } }, { sink: { write: (s) => samples.push(s) } });
  const cgi = await startCgiServer(gh.storageRoot);
  try {
    console.log(`generating ${REPOS} repos of ${formatBytes(REPO_BYTES)} (incompressible) ...`);
    for (let r = 0; r < REPOS; r++) {
      await gh.createRepo('bench', `repo-${r}`);
      const src = join(root, `src-${r}`);
      await mkdir(src, { recursive: true });
      await git(['init', '-q', '-b', 'main'], src);
      for (let c = 0; c < 3; c++) {
        await writeFile(join(src, `blob-${c}.bin`), randomBytes(REPO_BYTES / 3));
        await git(['add', '.'], src);
        await git(['-c', 'user.name=b', '-c', 'user.email=b@e', 'commit', '-q', '-m', `c${c}`], src);
      }
      await git(['push', '-q', gh.repoPath('bench', `repo-${r}`), 'main'], src);
    }
    const fetchClones: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const dir = join(root, `fetcher-${i}`);
      await git(['clone', '-q', '--bare', `${cgi.url}/bench/repo-${i % REPOS}.git`, dir], root);
      fetchClones.push(dir);
    }

    const results = { fakeClone: Infinity, cgiClone: Infinity, fakeFetch: Infinity, cgiFetch: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so neither side always runs on a warmer page cache.
      const order = round % 2 === 0 ? (['cgi', 'fake'] as const) : (['fake', 'cgi'] as const);
      for (const side of order) {
        const url = side === 'fake' ? gh.url : cgi.url;
        const cloneMs = await measureClones(url, root, `${side}-${round}`);
        const fetchMs = await measureFetches(url, fetchClones);
        if (side === 'fake') {
          results.fakeClone = Math.min(results.fakeClone, cloneMs);
          results.fakeFetch = Math.min(results.fakeFetch, fetchMs);
        } else {
          results.cgiClone = Math.min(results.cgiClone, cloneMs);
          results.cgiFetch = Math.min(results.cgiFetch, fetchMs);
        }
        console.log(`round ${round + 1} ${side.padEnd(4)}: ${CLONES_PER_ROUND} clones ${cloneMs.toFixed(0)} ms, ${FETCHES_PER_ROUND} fetches ${fetchMs.toFixed(0)} ms`);
      }
    }
    const clonedBytes = CLONES_PER_ROUND * REPO_BYTES;
    const rate = (ms: number) => `${formatBytes((clonedBytes / ms) * 1000)}/s`;
    console.log('');
    console.log(`clone throughput (concurrency ${CONCURRENCY}, best of ${ROUNDS}): fake GitHub ${rate(results.fakeClone)}, git http-backend ${rate(results.cgiClone)}`);
    console.log(`clone throughput ratio fake/http-backend: ${(results.cgiClone / results.fakeClone).toFixed(2)} (target >= 0.9)`);
    console.log(`fetch rate: fake GitHub ${((FETCHES_PER_ROUND / results.fakeFetch) * 1000).toFixed(1)}/s, git http-backend ${((FETCHES_PER_ROUND / results.cgiFetch) * 1000).toFixed(1)}/s`);
    console.log(`fetch throughput ratio fake/http-backend: ${(results.cgiFetch / results.fakeFetch).toFixed(2)} (target >= 0.9)`);

    // Before the storage cases: their gigabytes of clones leave a heap that slows a microbenchmark.
    const { noopUs, limiterUs } = bookkeepingBench();
    console.log('');
    console.log(`rate-limit + accounting bookkeeping at ${IDENTITIES} identities: ${limiterUs.toFixed(3)} µs/request vs no-op ${noopUs.toFixed(3)} µs/request`);
    console.log(`bookkeeping overhead: ${(limiterUs - noopUs).toFixed(3)} µs/request (target < 50 µs), ratio ${(limiterUs / Math.max(noopUs, 1e-6)).toFixed(1)}x no-op`);

    await largeFileCase(gh, cgi.url, root, samples);
    await churnCase(gh, cgi.url, root, samples);
  } finally {
    await gh.stop();
    await new Promise<void>((resolve) => cgi.server.close(() => resolve()));
    cgi.server.closeAllConnections();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
