import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { SampleSink } from '../metrics/sample.ts';
import type { CommitInfo, RefUpdate } from './git.ts';
import { zeroSha } from './git.ts';
import type { RepoInfo } from './repos.ts';
import type { WebhookTarget } from './options.ts';
import { globToRegExp } from './names.ts';

/** `sha256=<hex hmac>` as GitHub sends it in X-Hub-Signature-256. */
export function signPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function repositoryJson(repo: RepoInfo, baseUrl: string): Record<string, unknown> {
  const htmlUrl = `${baseUrl}/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: { name: repo.owner, login: repo.owner, id: repoOwnerId(repo.owner), type: 'User' },
    html_url: htmlUrl,
    url: htmlUrl,
    clone_url: `${htmlUrl}.git`,
    git_url: `${htmlUrl}.git`,
    default_branch: repo.defaultBranch,
    master_branch: repo.defaultBranch,
    created_at: Math.floor(Date.parse(repo.createdAt) / 1000),
    pushed_at: Math.floor(Date.now() / 1000),
    visibility: repo.private ? 'private' : 'public',
  };
}

export function repoOwnerId(owner: string): number {
  let hash = 0;
  for (const ch of owner) hash = (hash * 31 + ch.charCodeAt(0)) & 0x7fffffff;
  return hash;
}

/** A GitHub `push` event body for one ref update. */
export function buildPushPayload(params: {
  repo: RepoInfo;
  update: RefUpdate;
  commits: CommitInfo[];
  pusher: string;
  baseUrl: string;
}): Record<string, unknown> {
  const { repo, update, commits, pusher, baseUrl } = params;
  const htmlUrl = `${baseUrl}/${repo.fullName}`;
  const toJson = (c: CommitInfo) => ({
    id: c.sha,
    tree_id: c.tree,
    distinct: true,
    message: c.message,
    timestamp: c.committerDate,
    url: `${htmlUrl}/commit/${c.sha}`,
    author: { name: c.authorName, email: c.authorEmail },
    committer: { name: c.committerName, email: c.committerEmail },
    added: c.added,
    removed: c.removed,
    modified: c.modified,
  });
  const created = update.before === zeroSha;
  const deleted = update.after === zeroSha;
  const head = commits[commits.length - 1];
  return {
    ref: update.ref,
    before: update.before,
    after: update.after,
    created,
    deleted,
    forced: false,
    base_ref: null,
    compare: `${htmlUrl}/compare/${update.before.slice(0, 12)}...${update.after.slice(0, 12)}`,
    commits: commits.map(toJson),
    head_commit: head ? toJson(head) : null,
    repository: repositoryJson(repo, baseUrl),
    pusher: { name: pusher, email: `${pusher}@users.noreply.fluxbench.local` },
    sender: { login: pusher, id: repoOwnerId(pusher), type: 'User' },
  };
}

export interface WebhookDelivery {
  id: string;
  event: string;
  url: string;
  /** HTTP status of the last attempt; 0 when it never got an answer. */
  status: number;
  ok: boolean;
  attempts: number;
  durationMs: number;
  error?: string;
  ts: number;
}

export interface WebhookSettings {
  targets: WebhookTarget[];
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

/** Posts events to the configured receivers in the background, with a bounded retry. */
export class WebhookDispatcher {
  private readonly log: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private settings: WebhookSettings,
    private readonly sink?: SampleSink,
  ) {}

  setTargets(targets: WebhookTarget[]): void {
    this.settings = { ...this.settings, targets };
  }

  targets(): WebhookTarget[] {
    return this.settings.targets;
  }

  /** Queues one event to every target subscribed to it (and to its repository); returns at once. */
  dispatch(event: 'push', payload: Record<string, unknown>): void {
    const body = JSON.stringify(payload);
    const repo = (payload.repository as { full_name?: string } | undefined)?.full_name ?? '';
    for (const target of this.settings.targets) {
      if (!target.events.includes(event)) continue;
      if (target.repos && !target.repos.some((glob) => globToRegExp(glob).test(repo))) continue;
      const delivery = this.deliver(target, event, body);
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  deliveries(): WebhookDelivery[] {
    return [...this.log];
  }

  /** Resolves when every delivery queued so far has finished (succeeded or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.abort.abort();
  }

  private async deliver(target: WebhookTarget, event: string, body: string): Promise<void> {
    const id = randomUUID();
    const started = Date.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fluxbench',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '1',
    };
    if (target.secret !== undefined) headers['x-hub-signature-256'] = signPayload(target.secret, body);
    let status = 0;
    let error: string | undefined;
    let attempt = 0;
    while (attempt < this.settings.attempts && !this.abort.signal.aborted) {
      attempt += 1;
      error = undefined;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.settings.timeoutMs)]),
        });
        status = response.status;
        await response.arrayBuffer();
        if (status < 500 && status !== 429) break;
      } catch (err) {
        status = 0;
        error = (err as Error).message;
      }
      // stop() aborts the wait; the loop then ends on the aborted signal.
      if (attempt < this.settings.attempts) await delay(this.settings.backoffMs * attempt, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
    const ok = status >= 200 && status < 300;
    const record: WebhookDelivery = { id, event, url: target.url, status, ok, attempts: attempt, durationMs: Date.now() - started, ts: started, ...(error ? { error } : {}) };
    this.log.push(record);
    if (this.log.length > 10_000) this.log.splice(0, this.log.length - 10_000);
    this.sink?.write({ ts: started, kind: 'github', name: 'webhook_delivery', value: record.durationMs / 1000, labels: { status: String(status) }, detail: { id, url: target.url, event, attempts: attempt, ok, ...(error ? { error } : {}) } });
  }
}
