import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createReadStream } from 'node:fs';
import { mkdtemp, mkdir, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import type { SampleSink } from '../metrics/sample.ts';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { Accounting, type RequestRecord } from './accounting.ts';
import { anonymousIdentity, canSee, identityKeyOfLabel, identityOfToken, looksLikeJwt, parseCredentials, TokenRegistry, verifyAppJwt, type Identity, type RegisteredToken } from './auth.ts';
import { systemClock, type Clock } from './clock.ts';
import { FaultController, type ActiveFault, type FaultDecision } from './faults.ts';
import { commitsOfPush, diffRefs, GitProcesses, listRefs, readCommit, sanitizeGitProtocol, zeroSha, type RefUpdate } from './git.ts';
import { BodyTooLargeError, ByteCounter, ByteLimit, headerBytes, readBody, sendJson, sendStream, sleep } from './http-util.ts';
import {
  durationMs,
  fakeGitHubOptionsSchema,
  rateLimitSchema,
  tokenSpecSchema,
  webhookTargetSchema,
  type FakeGitHubOptions,
  type FakeGitHubOptionsInput,
  type FaultSpecInput,
  type RateLimitOptions,
  type RateLimitOptionsInput,
  type TokenSpecInput,
  type TrafficCategory,
  type WebhookTarget,
} from './options.ts';
import { installationLimit, RateLimiter, requestPoints, type LimiterConfig, type QuotaState } from './rate-limiter.ts';
import { RepoStore, type RepoInfo } from './repos.ts';
import {
  badCredentials,
  combinedState,
  commitJson,
  docsUrl,
  latestPerContext,
  notFound,
  paginate,
  rateLimitResponse,
  repoJson,
  requiresAuthentication,
  statusJson,
  StatusStore,
  type RestResponse,
} from './rest.ts';
import { isRouteError, matchRoute, type RouteMatch } from './routes.ts';
import { buildPushPayload, WebhookDispatcher, type WebhookDelivery } from './webhooks.ts';
import { handleAdmin } from './admin.ts';

export interface StartFakeGitHubExtras {
  /** Where `github` and `fault` samples go. */
  sink?: SampleSink;
  /** Time source for limits and fault windows (tests); defaults to the system clock. */
  clock?: Clock;
}

/** Run-time controls, also reachable over HTTP under /_fluxbench/. */
export interface FakeGitHubAdmin {
  addFault(spec: FaultSpecInput): ActiveFault;
  removeFault(id: string): boolean;
  clearFaults(): void;
  setFaults(specs: FaultSpecInput[]): ActiveFault[];
  faults(): ActiveFault[];
  /** Merges a partial rate-limit config into the current one; returns the result. */
  setRateLimits(patch: RateLimitOptionsInput): RateLimitOptions;
  rateLimits(): RateLimitOptions;
  /** Forgets usage of one identity (its label, e.g. a token name) or of everyone. */
  resetQuota(identity?: string): void;
  setWebhooks(targets: Array<{ url: string; secret?: string; repos?: string[] }>): WebhookTarget[];
  setAnonymousRead(allowed: boolean): void;
  revokeToken(name: string): boolean;
  setTimeScale(timeScale: number): void;
  /** Overrides one identity's primary limit (label as in samples); undefined restores the default. */
  setIdentityLimit(identity: string, limit: number | undefined): void;
  /** Sets the quota left in the current window for one identity, or for every identity seen so far. */
  setRemaining(remaining: number, identity?: string): void;
}

export interface StartedFakeGitHub {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly storageRoot: string;
  readonly options: FakeGitHubOptions;
  readonly admin: FakeGitHubAdmin;
  repoPath(owner: string, repo: string): string;
  createRepo(owner: string, repo: string, options?: { private?: boolean; defaultBranch?: string }): Promise<RepoInfo>;
  /** Webhooks and accounting for commits written straight into a bare repo. */
  notifyPush(owner: string, repo: string, push: { ref: string; before: string; after: string; pusher?: string }): Promise<void>;
  issueToken(spec: TokenSpecInput): RegisteredToken;
  /** The tokens currently accepted (personal-access style and live installation tokens). */
  tokens(): RegisteredToken[];
  /** Recent request records (bounded by recordLimit), oldest first. */
  requests(): RequestRecord[];
  /** The primary quota of an identity label (token name, `installation:<id>`, `anonymous:<ip>`). */
  quota(identity: string): QuotaState;
  deliveries(): WebhookDelivery[];
  /** Resolves when pushes in progress have queued their events and every delivery has finished. */
  webhooksIdle(): Promise<void>;
  stop(): Promise<void>;
}

interface Resolved {
  identity: Identity;
  limit: number;
}

interface RequestContext {
  /** Request body bytes consumed so far (headers are added at the end). */
  bodyBytes: { bytes: number };
  match: RouteMatch;
  resolved?: Resolved;
  fault: FaultDecision;
}

const contentTypes: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.json': 'application/json; charset=utf-8',
  '.tgz': 'application/x-tar',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.prov': 'application/pgp-signature',
};

function limiterConfig(rate: RateLimitOptions, timeScale: number): LimiterConfig {
  return {
    windowMs: durationMs(rate.window) / timeScale,
    secondary: {
      enabled: rate.enabled && rate.secondary.enabled,
      maxConcurrent: rate.secondary.maxConcurrent,
      pointsPerWindow: rate.secondary.pointsPerMinute,
      pointsWindowMs: 60_000 / timeScale,
      retryAfterMs: durationMs(rate.secondary.retryAfter) / timeScale,
    },
  };
}

/** Parses options, naming the offending field and what is allowed. */
export function parseFakeGitHubOptions(input: unknown, where = 'github'): FakeGitHubOptions {
  const parsed = fakeGitHubOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
    throw new UsageError(`invalid fake GitHub options: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Starts the fake GitHub on 127.0.0.1: git smart-HTTP over bare repos, a REST subset in
 * GitHub's shapes, GitHub-like primary and secondary rate limits, faults, webhooks, pages.
 */
export async function startFakeGitHub(input: FakeGitHubOptionsInput = {}, extras: StartFakeGitHubExtras = {}): Promise<StartedFakeGitHub> {
  const options = parseFakeGitHubOptions(input);
  const clock = extras.clock ?? systemClock;
  const sink = extras.sink;
  const storageRoot = options.storageRoot ?? (await mkdtemp(join(tmpdir(), 'fluxbench-github-')));
  await mkdir(join(storageRoot, 'pages'), { recursive: true });
  const pagesRoot = await realpath(join(storageRoot, 'pages'));

  let rateLimits = options.rateLimits;
  let rateLimitsInput: RateLimitOptionsInput = (input as { rateLimits?: RateLimitOptionsInput }).rateLimits ?? {};
  let timeScale = options.timeScale;
  let anonymousRead = options.anonymousRead;
  const limiter = new RateLimiter(limiterConfig(rateLimits, timeScale), clock);
  const tokens = new TokenRegistry();
  for (const spec of options.tokens) tokens.issue(spec);
  const repos = new RepoStore(storageRoot);
  const statuses = new StatusStore();
  const faults = new FaultController(clock, sink);
  for (const spec of options.faults) faults.addParsed(spec);
  const accounting = new Accounting(sink, options.recordLimit);
  const webhooks = new WebhookDispatcher(
    { targets: options.webhooks.targets, attempts: options.webhooks.attempts, backoffMs: durationMs(options.webhooks.backoff), timeoutMs: durationMs(options.webhooks.timeout) },
    sink,
  );
  const processes = new GitProcesses();
  const pushLocks = new Map<string, Promise<unknown>>();
  /** identity key → what quota samples need. */
  const activeIdentities = new Map<string, Resolved>();
  const sockets = new Set<Socket>();
  let baseUrl = '';

  const installations = new Map((options.app?.installations ?? []).map((i) => [i.id, i]));

  const limitOverrides = new Map<string, number>();

  function limitFor(identity: Identity, token?: RegisteredToken): number {
    const override = limitOverrides.get(identity.key);
    if (override !== undefined) return override;
    if (identity.kind === 'anonymous') return rateLimits.anonymous;
    if (identity.kind === 'token') return token?.limit ?? rateLimits.token;
    const id = token?.installationId;
    const inst = id !== undefined ? installations.get(id) : undefined;
    return installationLimit({
      base: rateLimits.installation,
      max: rateLimits.installationMax,
      repos: inst?.repos ?? 0,
      users: inst?.users ?? 0,
      enterpriseCloud: rateLimits.enterpriseCloud,
      enterpriseCloudLimit: rateLimits.enterpriseCloudInstallation,
    });
  }

  function rateHeaders(quota: QuotaState): Record<string, string> {
    return {
      'x-ratelimit-limit': String(quota.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-reset': String(Math.ceil(quota.resetAt / 1000)),
      'x-ratelimit-used': String(quota.used),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Who is calling; undefined after answering 401 itself. */
  function authenticate(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Resolved | undefined {
    const creds = parseCredentials(req.headers.authorization);
    const address = req.socket.remoteAddress ?? 'unknown';
    const challenge = ctx.match.category === 'git' ? { 'www-authenticate': 'Basic realm="GitHub"' } : undefined;
    if (creds.scheme === 'none') {
      const identity = anonymousIdentity(address);
      return { identity, limit: limitFor(identity) };
    }
    if (creds.scheme === 'malformed') {
      respond(res, ctx, badCredentials(), challenge);
      return undefined;
    }
    const isAppRoute = ctx.match.route.startsWith('rest.app') || ctx.match.route === 'rest.installation.lookup';
    if (isAppRoute && creds.scheme === 'bearer' && looksLikeJwt(creds.token) && options.app) {
      const check = verifyAppJwt(creds.token, { appId: options.app.id, ...(options.app.publicKey ? { publicKeyPem: options.app.publicKey } : {}), nowMs: Date.now() });
      if (!check.ok) {
        respond(res, ctx, { status: 401, body: { message: check.message, documentation_url: docsUrl } });
        return undefined;
      }
      const identity: Identity = { key: `app:${check.appId}`, label: `app:${check.appId}`, kind: 'app', permission: 'none' };
      return { identity, limit: rateLimits.installation };
    }
    const token = tokens.lookup(creds.token, Date.now());
    if (!token) {
      respond(res, ctx, badCredentials(), challenge);
      return undefined;
    }
    const identity = identityOfToken(token);
    return { identity, limit: limitFor(identity, token) };
  }

  function respond(res: ServerResponse, ctx: RequestContext, answer: RestResponse, extraHeaders?: Record<string, string>): void {
    sendJson(res, answer.status, answer.body, {
      headers: { ...(answer.headers ?? {}), ...(extraHeaders ?? {}) },
      bytesPerSecond: ctx.fault.bytesPerSecond,
      head: res.req?.method === 'HEAD',
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = clock.now();
    const started = performance.now();
    const socket = req.socket;
    const bodyBytes = { bytes: 0 };
    const writtenBefore = socket.bytesWritten;
    const method = req.method ?? 'GET';
    const record: RequestRecord = { ts: arrived, identity: '', repo: '', route: 'invalid', category: 'rest', method, status: 0, bytesIn: 0, bytesOut: 0, durationMs: 0 };
    let heldKey: string | undefined;
    res.on('error', () => undefined);
    res.setHeader('x-github-request-id', randomUUID().slice(0, 18).toUpperCase());
    res.once('close', () => {
      if (heldKey !== undefined) limiter.release(heldKey);
      if (record.category === 'admin') return;
      record.status = res.headersSent ? res.statusCode : 0;
      record.durationMs = performance.now() - started;
      record.bytesIn = headerBytes(req) + bodyBytes.bytes;
      record.bytesOut = Math.max(0, socket.bytesWritten - writtenBefore);
      accounting.record(record);
    });

    const matched = matchRoute(method, req.url ?? '');
    if (isRouteError(matched)) {
      record.identity = `anonymous:${socket.remoteAddress ?? 'unknown'}`;
      req.resume();
      sendJson(res, matched.status, { message: matched.message, documentation_url: docsUrl });
      return;
    }
    const match = matched;
    record.route = match.route;
    record.category = match.category;
    record.repo = match.owner && match.repo ? `${match.owner}/${match.repo}` : '';
    if (match.category === 'admin') {
      await handleAdmin(req, res, match, api, options.maxJsonBodyBytes);
      return;
    }

    const fault = faults.decide(match.route, record.repo);
    const ctx: RequestContext = { match, fault, bodyBytes };
    if (fault.reset) {
      record.identity = `anonymous:${socket.remoteAddress ?? 'unknown'}`;
      socket.destroy();
      return;
    }
    if (fault.status !== undefined) {
      record.identity = `anonymous:${socket.remoteAddress ?? 'unknown'}`;
      req.resume();
      const messages: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
      respond(res, ctx, { status: fault.status, body: { message: messages[fault.status] ?? 'Server Error', documentation_url: docsUrl } });
      return;
    }

    const resolved = authenticate(req, res, ctx);
    if (!resolved) {
      record.identity = `anonymous:${socket.remoteAddress ?? 'unknown'}`;
      req.resume();
      return;
    }
    ctx.resolved = resolved;
    const { identity, limit } = resolved;
    record.identity = identity.label;
    activeIdentities.set(identity.key, resolved);

    const counted = rateLimits.enabled && match.route !== 'rest.rate_limit' && rateLimits.counts.includes(match.category as TrafficCategory);
    let quota: QuotaState;
    if (counted) {
      const decision = limiter.acquire(identity.key, limit, requestPoints(method, match.route));
      quota = decision.quota;
      if (!decision.allowed) {
        record.limited = decision.reason;
        req.resume();
        const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
        if (decision.reason === 'primary') {
          const who = identity.kind === 'anonymous' ? `${socket.remoteAddress}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)` : identity.kind === 'installation' ? `installation ID ${identity.key.split(':')[1]}.` : `user ID ${identity.label}.`;
          respond(res, ctx, { status: 403, body: { message: `API rate limit exceeded for ${who}`, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' } }, { ...rateHeaders(quota), 'retry-after': retryAfter });
        } else {
          respond(
            res,
            ctx,
            { status: rateLimits.secondary.status, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' } },
            { ...rateHeaders(quota), 'retry-after': retryAfter },
          );
        }
        return;
      }
      heldKey = identity.key;
    } else {
      quota = limiter.peek(identity.key, limit);
    }
    for (const [k, v] of Object.entries(rateHeaders(quota))) res.setHeader(k, v);
    // Latency is server time: it holds the concurrency slot like a slow GitHub would.
    if (fault.delayMs > 0) await sleep(fault.delayMs);

    switch (match.category) {
      case 'git':
        await handleGit(req, res, ctx);
        return;
      case 'pages':
        await handlePages(req, res, ctx);
        return;
      default:
        await handleRest(req, res, ctx, quota);
    }
  }

  /** Repo visibility check shared by git and REST; answers itself when refused. */
  async function repoFor(res: ServerResponse, ctx: RequestContext, needWrite: boolean): Promise<RepoInfo | undefined> {
    const { match, resolved } = ctx;
    const identity = resolved!.identity;
    const isGit = match.category === 'git';
    const repo = await repos.get(match.owner!, match.repo!);
    const anonymous = identity.kind === 'anonymous';
    const visible = repo !== undefined && (anonymous ? anonymousRead && !repo.private : canSee(identity, repo.fullName));
    if (anonymous && (needWrite || !visible) && isGit) {
      respond(res, ctx, { status: 401, body: { message: 'Requires authentication', documentation_url: docsUrl } }, { 'www-authenticate': 'Basic realm="GitHub"' });
      return undefined;
    }
    if (!visible) {
      respond(res, ctx, isGit ? { status: 404, body: { message: 'Repository not found.', documentation_url: docsUrl } } : notFound());
      return undefined;
    }
    if (needWrite && identity.permission !== 'write') {
      respond(res, ctx, anonymous ? requiresAuthentication() : { status: 403, body: { message: `Permission to ${repo!.fullName}.git denied to ${identity.label}.`, documentation_url: docsUrl } });
      return undefined;
    }
    return repo;
  }

  async function handleGit(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const { match } = ctx;
    const service = match.service!;
    const isPush = service === 'git-receive-pack';
    const repo = await repoFor(res, ctx, isPush);
    if (!repo) {
      req.resume();
      return;
    }
    const dir = repos.path(repo.owner, repo.name);
    const gitProtocol = sanitizeGitProtocol(req.headers['git-protocol']);
    const noCache = { 'cache-control': 'no-cache, max-age=0, must-revalidate', pragma: 'no-cache', expires: 'Fri, 01 Jan 1980 00:00:00 GMT' };

    if (match.route === 'git.info-refs') {
      req.resume();
      const child = processes.service(service, dir, { advertise: true, ...(gitProtocol ? { gitProtocol } : {}) });
      child.stderr!.resume();
      // git could not start: the 200 may already be out, so the only honest answer is a cut connection.
      child.once('error', () => res.destroy());
      res.writeHead(200, { ...noCache, 'content-type': `application/x-${service}-advertisement` });
      const v2 = service === 'git-upload-pack' && gitProtocol !== undefined && /(^|:)version=2(:|$)/.test(gitProtocol);
      if (!v2) {
        const line = `# service=${service}\n`;
        res.write(`${(line.length + 4).toString(16).padStart(4, '0')}${line}0000`);
      }
      if (req.method === 'HEAD') {
        child.kill('SIGKILL');
        res.end();
        return;
      }
      sendStream(res, child.stdout!, ctx.fault.bytesPerSecond);
      res.once('close', () => child.kill('SIGKILL'));
      return;
    }

    if (req.headers['content-type'] !== `application/x-${service}-request`) {
      req.resume();
      respond(res, ctx, { status: 415, body: { message: `Content-Type must be application/x-${service}-request`, documentation_url: docsUrl } });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      req.resume();
      respond(res, ctx, { status: 413, body: { message: `request body exceeds ${options.maxBodyBytes} bytes`, documentation_url: docsUrl } });
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'identity') {
      req.resume();
      respond(res, ctx, { status: 415, body: { message: 'Content-Encoding must be gzip or identity', documentation_url: docsUrl } });
      return;
    }

    const run = async (): Promise<void> => {
      const refsBefore = isPush ? await listRefs(dir) : undefined;
      const child = processes.service(service, dir, { advertise: false, ...(gitProtocol ? { gitProtocol } : {}) });
      child.stderr!.resume();
      const exited = new Promise<number | null>((resolve) => {
        child.once('close', (code) => resolve(code));
        child.once('error', () => resolve(null));
      });
      let failed = false;
      let onBodyFailure = (): void => undefined;
      child.once('error', () => {
        failed = true;
        onBodyFailure();
        if (!res.headersSent) respond(res, ctx, { status: 500, body: { message: 'Server Error', documentation_url: docsUrl } });
        else res.destroy();
      });
      const gzipped = encoding === 'gzip' || encoding === 'x-gzip';
      const counter = new ByteCounter(ctx.bodyBytes);
      const stages = [req, counter, ...(gzipped ? [createGunzip()] : []), new ByteLimit(options.maxBodyBytes), child.stdin!] as const;
      // The response ends only when git's output has ended AND the whole body was read within
      // the limit: git may stop early on a body that is cut off, and that must not look like a 200.
      let bodyDone = false;
      let outputDone = false;
      const finish = () => {
        if (bodyDone && outputDone && !failed && !res.writableEnded) res.end();
      };
      pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (err) => {
        if (!err) {
          bodyDone = true;
          return finish();
        }
        failed = true;
        onBodyFailure();
        child.kill('SIGKILL');
        if (err instanceof BodyTooLargeError) {
          respond(res, ctx, { status: 413, body: { message: err.message, documentation_url: docsUrl } });
        } else if (!res.headersSent) {
          respond(res, ctx, { status: 400, body: { message: 'could not read the request body', documentation_url: docsUrl } });
        } else {
          res.destroy();
        }
      });
      // Headers are only set, not sent: they go out with the first byte of output, so a body
      // error before that can still become a 4xx.
      for (const [k, v] of Object.entries(noCache)) res.setHeader(k, v);
      res.setHeader('content-type', `application/x-${service}-result`);
      const piped = sendStream(res, child.stdout!, ctx.fault.bytesPerSecond, false);
      piped.once('end', () => {
        outputDone = true;
        finish();
      });
      onBodyFailure = () => piped.unpipe(res);
      res.once('close', () => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const code = await exited;
      if (isPush && code === 0 && !failed && refsBefore) {
        const refsAfter = await listRefs(dir);
        const updates = diffRefs(refsBefore, refsAfter);
        if (updates.length > 0) {
          repos.markPushed(repo);
          await firePush(repo, updates, ctx.resolved!.identity.label);
        }
      }
    };

    if (isPush) {
      // One receive-pack per repo at a time, so ref snapshots before/after belong to one push.
      const previous = pushLocks.get(repo.fullName) ?? Promise.resolve();
      const current = previous.then(run, run).catch(() => undefined);
      pushLocks.set(repo.fullName, current);
      await current;
      if (pushLocks.get(repo.fullName) === current) pushLocks.delete(repo.fullName);
    } else {
      await run().catch(() => {
        if (!res.headersSent) respond(res, ctx, { status: 500, body: { message: 'Server Error', documentation_url: docsUrl } });
        else res.destroy();
      });
    }
  }

  async function firePush(repo: RepoInfo, updates: RefUpdate[], pusher: string): Promise<void> {
    if (webhooks.targets().length === 0) return;
    const dir = repos.path(repo.owner, repo.name);
    for (const update of updates) {
      const commits = await commitsOfPush(dir, update).catch(() => []);
      webhooks.dispatch('push', buildPushPayload({ repo, update, commits, pusher, baseUrl }));
    }
  }

  async function handlePages(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    req.resume();
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      respond(res, ctx, { status: 405, body: { message: 'Method Not Allowed', documentation_url: docsUrl } });
      return;
    }
    const segments = [ctx.match.owner!, ctx.match.repo!, ...(ctx.match.rest ?? [])];
    let file = join(pagesRoot, ...segments);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      const real = await realpath(file);
      if (!real.startsWith(pagesRoot + sep) || !info.isFile()) throw new Error('outside pages');
      res.statusCode = 200;
      res.setHeader('content-type', contentTypes[extname(real)] ?? 'application/octet-stream');
      res.setHeader('content-length', info.size);
      res.setHeader('last-modified', info.mtime.toUTCString());
      if (method === 'HEAD') return void res.end();
      sendStream(res, createReadStream(real), ctx.fault.bytesPerSecond);
    } catch {
      respond(res, ctx, notFound());
    }
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, quota: QuotaState): Promise<void> {
    const { match } = ctx;
    const identity = ctx.resolved!.identity;
    let body: unknown;
    if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') {
      try {
        const raw = await readBody(req, options.maxJsonBodyBytes);
        ctx.bodyBytes.bytes = raw.length;
        const type = req.headers['content-type'] ?? 'application/json';
        if (raw.length > 0) {
          if (!/json|x-www-form-urlencoded|text\/plain/.test(type)) {
            return respond(res, ctx, { status: 415, body: { message: 'Unsupported Media Type', documentation_url: docsUrl } });
          }
          body = JSON.parse(raw.toString('utf8'));
        }
      } catch (err) {
        if (err instanceof BodyTooLargeError) return respond(res, ctx, { status: 413, body: { message: err.message, documentation_url: docsUrl } });
        return respond(res, ctx, { status: 400, body: { message: 'Problems parsing JSON', documentation_url: docsUrl } });
      }
    } else {
      req.resume();
    }

    switch (match.route) {
      case 'rest.root':
        return respond(res, ctx, { status: 200, body: { current_user_url: `${baseUrl}/user`, rate_limit_url: `${baseUrl}/rate_limit`, repository_url: `${baseUrl}/repos/{owner}/{repo}` } });
      case 'rest.rate_limit':
        return respond(res, ctx, rateLimitResponse(quota));
      case 'rest.app':
      case 'rest.app.installation':
      case 'rest.app.access_tokens':
      case 'rest.installation.lookup':
        return respond(res, ctx, appRoute(ctx, identity));
      default:
        break;
    }
    if (match.route === 'rest.unknown') return respond(res, ctx, notFound());

    const needWrite = match.route === 'rest.statuses.create' || match.route === 'rest.dispatches';
    if (needWrite && identity.kind === 'anonymous') return respond(res, ctx, requiresAuthentication());
    const repo = await repoFor(res, ctx, false);
    if (!repo) return;
    if (needWrite && identity.permission !== 'write') {
      return respond(res, ctx, { status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: docsUrl } });
    }
    const dir = repos.path(repo.owner, repo.name);
    switch (match.route) {
      case 'rest.repo':
        return respond(res, ctx, { status: 200, body: repoJson(repo, baseUrl, identity.kind === 'anonymous' ? undefined : { admin: identity.permission === 'write', push: identity.permission === 'write', pull: true }) });
      case 'rest.dispatches':
        if (typeof body !== 'object' || body === null || typeof (body as { event_type?: unknown }).event_type !== 'string') {
          return respond(res, ctx, { status: 422, body: { message: 'Invalid request.\n\n"event_type" wasn\'t supplied.', documentation_url: docsUrl } });
        }
        return respond(res, ctx, { status: 204 });
      default:
        break;
    }
    const commit = await readCommit(dir, match.ref!);
    if (!commit) {
      return respond(res, ctx, { status: 422, body: { message: `No commit found for SHA: ${match.ref}`, documentation_url: docsUrl } });
    }
    switch (match.route) {
      case 'rest.commit':
        return respond(res, ctx, { status: 200, body: { ...commitJson(repo, commit, baseUrl), files: [], stats: { total: 0, additions: 0, deletions: 0 } } });
      case 'rest.statuses.create': {
        const created = statuses.create(repo, commit.sha, body, identity.label);
        if ('status' in created && typeof created.status === 'number') return respond(res, ctx, created as RestResponse);
        return respond(res, ctx, { status: 201, body: statusJson(repo, commit.sha, created as Exclude<typeof created, RestResponse>, baseUrl) });
      }
      case 'rest.statuses.list':
        return respond(res, ctx, { status: 200, body: paginate(statuses.list(repo, commit.sha), match.query).map((s) => statusJson(repo, commit.sha, s, baseUrl)) });
      case 'rest.status.combined': {
        const latest = latestPerContext(statuses.list(repo, commit.sha));
        return respond(res, ctx, {
          status: 200,
          body: {
            state: combinedState(latest),
            statuses: latest.map((s) => statusJson(repo, commit.sha, s, baseUrl)),
            sha: commit.sha,
            total_count: latest.length,
            repository: repoJson(repo, baseUrl),
            commit_url: `${baseUrl}/repos/${repo.fullName}/commits/${commit.sha}`,
            url: `${baseUrl}/repos/${repo.fullName}/commits/${commit.sha}/status`,
          },
        });
      }
      default:
        return respond(res, ctx, notFound());
    }
  }

  function installationJson(id: number): Record<string, unknown> {
    return {
      id,
      app_id: Number(options.app!.id),
      account: { login: 'fluxbench', id: 1, type: 'Organization' },
      repository_selection: 'all',
      access_tokens_url: `${baseUrl}/app/installations/${id}/access_tokens`,
      permissions: { contents: 'write', metadata: 'read', statuses: 'write' },
      target_type: 'Organization',
    };
  }

  function appRoute(ctx: RequestContext, identity: Identity): RestResponse {
    if (identity.kind !== 'app' || !options.app) {
      return { status: 401, body: { message: 'A JSON web token could not be decoded', documentation_url: docsUrl } };
    }
    const app = options.app;
    switch (ctx.match.route) {
      case 'rest.app':
        return { status: 200, body: { id: Number(app.id), slug: 'fluxbench', name: 'fluxbench', owner: { login: 'fluxbench', id: 1 } } };
      case 'rest.installation.lookup': {
        const first = app.installations[0];
        return first ? { status: 200, body: installationJson(first.id) } : notFound();
      }
      default: {
        const id = ctx.match.installationId!;
        if (!installations.has(id)) return notFound();
        if (ctx.match.route === 'rest.app.installation') return { status: 200, body: installationJson(id) };
        const expiresAt = Date.now() + durationMs(app.tokenTtl);
        const token = tokens.issueInstallationToken(id, expiresAt);
        return {
          status: 201,
          body: {
            token: token.token,
            expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            permissions: { contents: 'write', metadata: 'read', statuses: 'write' },
            repository_selection: 'all',
          },
        };
      }
    }
  }

  function findIdentityKey(label: string): string | undefined {
    const key = identityKeyOfLabel(label);
    return activeIdentities.has(key) ? key : undefined;
  }

  /** The limit of an identity label, whether or not it has made a request yet. */
  function limitOfLabel(label: string): number {
    const key = identityKeyOfLabel(label);
    const seen = activeIdentities.get(key);
    if (seen) return seen.limit;
    const override = limitOverrides.get(key);
    if (override !== undefined) return override;
    if (key.startsWith('ip:')) return rateLimits.anonymous;
    const token = tokens.list().find((t) => t.kind === 'token' && t.name === label);
    return token ? limitFor(identityOfToken(token), token) : rateLimits.token;
  }

  const api: StartedFakeGitHub = {
    get url() {
      return baseUrl;
    },
    get port() {
      return Number(new URL(baseUrl).port);
    },
    storageRoot,
    options,
    admin: {
      addFault: (spec) => faults.add(spec),
      removeFault: (id) => faults.remove(id),
      clearFaults: () => faults.clear(),
      setFaults: (specs) => faults.replace(specs),
      faults: () => faults.list(),
      setRateLimits(patch) {
        // Merged at the input level: parsed values (ms) would be read again as seconds.
        const merged = { ...rateLimitsInput, ...patch, secondary: { ...(rateLimitsInput.secondary ?? {}), ...(patch.secondary ?? {}) } };
        const parsed = rateLimitSchema.safeParse(merged);
        if (!parsed.success) {
          throw new UsageError(`invalid rate limits: ${parsed.error.issues.map((i) => `rateLimits.${i.path.join('.')}: ${i.message}`).join('; ')}`);
        }
        rateLimits = parsed.data;
        rateLimitsInput = merged;
        limiter.setConfig(limiterConfig(rateLimits, timeScale));
        return rateLimits;
      },
      rateLimits: () => rateLimits,
      resetQuota(identity) {
        if (identity === undefined) return limiter.reset();
        const key = findIdentityKey(identity);
        if (key) limiter.reset(key);
      },
      setWebhooks(targets) {
        const parsed = targets.map((t, i) => {
          const result = webhookTargetSchema.safeParse(t);
          if (!result.success) throw new UsageError(`invalid webhook target webhooks[${i}]: ${result.error.issues.map((x) => `${x.path.join('.') || 'target'}: ${x.message}`).join('; ')}`);
          return result.data;
        });
        webhooks.setTargets(parsed);
        return parsed;
      },
      setAnonymousRead(allowed) {
        anonymousRead = allowed;
      },
      revokeToken: (name) => tokens.revoke(name),
      setIdentityLimit(identity, limit) {
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`invalid limit ${limit} for ${identity}: must be a positive integer`);
        const key = identityKeyOfLabel(identity);
        if (limit === undefined) limitOverrides.delete(key);
        else limitOverrides.set(key, limit);
        const seen = activeIdentities.get(key);
        if (seen) {
          const token = seen.identity.kind === 'token' ? tokens.list().find((t) => t.kind === 'token' && t.name === identity) : undefined;
          seen.limit = limitFor(seen.identity, token);
        }
      },
      setRemaining(remaining, identity) {
        if (!(Number.isInteger(remaining) && remaining >= 0)) throw new UsageError(`invalid remaining ${remaining}: must be a non-negative integer`);
        const labels = identity !== undefined ? [identity] : [...activeIdentities.values()].map((r) => r.identity.label);
        for (const label of labels) limiter.setRemaining(identityKeyOfLabel(label), limitOfLabel(label), remaining);
      },
      setTimeScale(value) {
        if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`invalid timeScale ${value}: must be a positive number`);
        timeScale = value;
        limiter.setConfig(limiterConfig(rateLimits, timeScale));
      },
    },
    repoPath: (owner, repo) => repos.path(owner, repo),
    createRepo: (owner, repo, opts) => repos.create(owner, repo, opts),
    async notifyPush(owner, repo, push) {
      const info = await repos.get(owner, repo);
      if (!info) throw new UsageError(`notifyPush: repository ${owner}/${repo} does not exist under ${storageRoot}`);
      for (const sha of [push.before, push.after]) {
        if (!/^[0-9a-f]{40}$/.test(sha)) throw new UsageError(`notifyPush: "${sha}" is not a 40-hex commit sha`);
      }
      if (!/^refs\/[A-Za-z0-9._/-]+$/.test(push.ref) || push.ref.includes('..')) throw new UsageError(`notifyPush: ref "${push.ref}" must be a full ref such as refs/heads/main`);
      repos.markPushed(info);
      accounting.record({ ts: clock.now(), identity: push.pusher ?? 'workload', repo: info.fullName, route: 'notify-push', category: 'git', method: 'PUSH', status: 200, bytesIn: 0, bytesOut: 0, durationMs: 0 });
      await firePush(info, [{ ref: push.ref, before: push.before, after: push.after }], push.pusher ?? 'fluxbench');
    },
    issueToken(spec) {
      const parsed = tokenSpecSchema.safeParse(spec);
      if (!parsed.success) throw new UsageError(`invalid token: ${parsed.error.issues.map((i) => `tokens.${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return tokens.issue(parsed.data);
    },
    tokens: () => tokens.list(),
    requests: () => accounting.requests(),
    quota: (identity) => limiter.peek(identityKeyOfLabel(identity), limitOfLabel(identity)),
    deliveries: () => webhooks.deliveries(),
    async webhooksIdle() {
      // Pushes still in receive-pack or ref diffing have not queued their events yet.
      while (pushLocks.size > 0) await Promise.allSettled([...pushLocks.values()]);
      await webhooks.idle();
    },
    async stop() {
      clearInterval(quotaTimer);
      faults.stop();
      webhooks.stop();
      processes.killAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      await webhooks.idle();
    },
  };

  const server: Server = createServer({ requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      try {
        if (!res.headersSent) sendJson(res, 500, { message: 'Server Error', documentation_url: docsUrl, detail: (err as Error).message });
        else res.destroy();
      } catch {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FluxbenchError(`fake GitHub could not listen on 127.0.0.1:${options.port}: ${err.message}`)));
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new FluxbenchError('fake GitHub has no listening address');
  baseUrl = `http://127.0.0.1:${address.port}`;

  const quotaTimer = setInterval(() => {
    const ts = clock.now();
    for (const [key, resolved] of activeIdentities) {
      const quota = limiter.peek(key, resolved.limit);
      accounting.quota(ts, resolved.identity.label, quota.remaining, quota.limit);
    }
  }, durationMs(options.quotaSampleInterval));
  quotaTimer.unref();

  return api;
}

export { zeroSha };
