import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { callerOf, respond, type RequestContext } from '../context.ts';
import { diffRefs, listRefs } from '../git.ts';
import { sanitizeGitProtocol } from '../git-processes.ts';
import { BodyTooLargeError, ByteCounter, ByteLimit, sendStream } from '../http-util.ts';
import type { RepoInfo } from '../repos.ts';
import { docsUrl } from '../rest.ts';
import type { GitService } from '../routes.ts';
import { isRefusal, repoAccess } from '../repo-access.ts';

const noCache = { 'cache-control': 'no-cache, max-age=0, must-revalidate', pragma: 'no-cache', expires: 'Fri, 01 Jan 1980 00:00:00 GMT' };

interface GitCall {
  service: GitService;
  repo: RepoInfo;
  /** The bare repository's directory. */
  dir: string;
  /** The client's Git-Protocol header, when well-formed (protocol v2 and its options). */
  gitProtocol: string | undefined;
}

/**
 * git smart-HTTP: `info/refs` advertisements and the stateless upload-pack / receive-pack RPCs,
 * each served by a git child process. Pushes to one repository run one at a time and fire a
 * `push` webhook per updated ref.
 */
export async function handleGit(ctx: RequestContext): Promise<void> {
  const { req, res, match, state } = ctx;
  const service = match.service!;
  const isPush = service === 'git-receive-pack';
  const repo = await repoAccess(ctx, isPush);
  if (isRefusal(repo)) {
    respond(ctx, repo);
    req.resume();
    return;
  }
  const call: GitCall = { service, repo, dir: state.repos.path(repo.owner, repo.name), gitProtocol: sanitizeGitProtocol(req.headers['git-protocol']) };
  if (match.route === 'git.info-refs') return advertiseRefs(ctx, call);
  if (!acceptsRpcBody(ctx, service)) return;
  if (isPush) {
    await state.pushes.serialize(repo, () => serviceRpc(ctx, call));
    return;
  }
  await serviceRpc(ctx, call).catch(() => {
    if (!res.headersSent) respond(ctx, { status: 500, body: { message: 'Server Error', documentation_url: docsUrl } });
    else res.destroy();
  });
}

function advertiseRefs(ctx: RequestContext, call: GitCall): void {
  const { req, res, state } = ctx;
  const { service, gitProtocol } = call;
  req.resume();
  const child = state.processes.advertise(service, call.dir, gitProtocol ? { gitProtocol } : {});
  child.stderr!.resume();
  // git could not start: the 200 may already be out, so the only honest answer is a cut connection.
  child.once('error', () => res.destroy());
  res.writeHead(200, { ...noCache, 'content-type': `application/x-${service}-advertisement` });
  const v2 = service === 'git-upload-pack' && gitProtocol !== undefined && /(^|:)version=2(:|$)/.test(gitProtocol);
  if (!v2) {
    const line = `# service=${service}\n`;
    res.write(`${(line.length + 4).toString(16).padStart(4, '0')}${line}0000`);
  }
  if (ctx.method === 'HEAD') {
    state.processes.kill(child);
    res.end();
    return;
  }
  sendStream(res, child.stdout!, ctx.fault.bytesPerSecond);
  res.once('close', () => state.processes.kill(child));
}

/** Checks an RPC's content type, declared length and encoding; answers 415/413 itself. */
function acceptsRpcBody(ctx: RequestContext, service: GitService): boolean {
  const refusal = rpcBodyRefusal(ctx, service);
  if (!refusal) return true;
  ctx.req.resume();
  respond(ctx, { status: refusal.status, body: { message: refusal.message, documentation_url: docsUrl } });
  return false;
}

function rpcBodyRefusal(ctx: RequestContext, service: GitService): { status: 413 | 415; message: string } | undefined {
  const { headers } = ctx.req;
  const maxBodyBytes = ctx.state.options.maxBodyBytes;
  if (headers['content-type'] !== `application/x-${service}-request`) return { status: 415, message: `Content-Type must be application/x-${service}-request` };
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return { status: 413, message: `request body exceeds ${maxBodyBytes} bytes` };
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'identity') {
    return { status: 415, message: 'Content-Encoding must be gzip or identity' };
  }
  return undefined;
}

/**
 * One stateless RPC: the request body (gunzipped, within maxBodyBytes) into git's stdin, git's
 * stdout as the response, ended once git has exited so that its cost (`ctx.git`) is known when
 * the accounting records the request. After a successful push, the ref updates it made fire
 * webhooks and the repository's background maintenance is scheduled.
 */
async function serviceRpc(ctx: RequestContext, call: GitCall): Promise<void> {
  const { req, res, state } = ctx;
  const { service, dir, gitProtocol } = call;
  const isPush = service === 'git-receive-pack';
  const refsBefore = isPush ? await listRefs(dir) : undefined;
  const { child, usage } = state.processes.rpc(service, dir, gitProtocol ? { gitProtocol } : {});
  const cost: NonNullable<RequestContext['git']> = { startedMs: performance.now() };
  ctx.git = cost;
  child.stderr!.resume();
  let gitExited = false;
  const exited = usage.then((u) => {
    cost.usage = u;
    gitExited = true;
    finish();
    return u.exitCode;
  });
  let failed = false;
  let onBodyFailure = (): void => undefined;
  child.once('error', () => {
    failed = true;
    onBodyFailure();
    if (!res.headersSent) respond(ctx, { status: 500, body: { message: 'Server Error', documentation_url: docsUrl } });
    else res.destroy();
  });
  const encoding = req.headers['content-encoding'];
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip';
  const stages = [req, new ByteCounter(ctx.bodyBytes), ...(gzipped ? [createGunzip()] : []), new ByteLimit(state.options.maxBodyBytes), child.stdin!] as const;
  // The response ends only when git's output has ended AND the whole body was read within
  // the limit: git may stop early on a body that is cut off, and that must not look like a 200.
  let bodyDone = false;
  let outputDone = false;
  function finish(): void {
    if (bodyDone && outputDone && gitExited && !failed && !res.writableEnded) res.end();
  }
  pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (err) => {
    if (!err) {
      bodyDone = true;
      return finish();
    }
    failed = true;
    onBodyFailure();
    state.processes.kill(child);
    if (err instanceof BodyTooLargeError) respond(ctx, { status: 413, body: { message: err.message, documentation_url: docsUrl } });
    else if (!res.headersSent) respond(ctx, { status: 400, body: { message: 'could not read the request body', documentation_url: docsUrl } });
    else res.destroy();
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
  res.once('close', () => state.processes.kill(child));
  const code = await exited;
  if (!isPush || code !== 0 || failed || !refsBefore) return;
  const updates = diffRefs(refsBefore, await listRefs(dir));
  if (updates.length === 0) return;
  state.repos.markPushed(call.repo);
  state.maintenance.schedule(call.repo.fullName, dir);
  await state.pushes.fire(call.repo, updates, callerOf(ctx).identity.label);
}
