import { UsageError } from '../util/exit-codes.ts';
import type { Accounting } from './accounting.ts';
import type { Clock } from './clock.ts';
import { commitsOfPush, type RefUpdate } from './git.ts';
import type { RepoMaintenance } from './maintenance.ts';
import type { RepoInfo, RepoStore } from './repos.ts';
import { buildPushPayload, type WebhookDispatcher } from './webhooks.ts';

/** A push made outside git smart-HTTP (commits written straight into the bare repo). */
export interface PushNotice {
  ref: string;
  before: string;
  after: string;
  pusher?: string;
}

/**
 * Pushes and what follows them: one receive-pack per repository at a time (so the ref snapshots
 * taken before and after belong to one push), and a `push` webhook per updated ref.
 */
export class Pushes {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: { repos: RepoStore; webhooks: WebhookDispatcher; accounting: Accounting; maintenance: RepoMaintenance; clock: Clock; baseUrl: () => string },
  ) {}

  /** Runs `push` after every earlier push to the same repository has finished; its errors are dropped. */
  async serialize(repo: RepoInfo, push: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(repo.fullName) ?? Promise.resolve();
    const current = previous.then(push, push).catch(() => undefined);
    this.locks.set(repo.fullName, current);
    await current;
    if (this.locks.get(repo.fullName) === current) this.locks.delete(repo.fullName);
  }

  /** Queues a `push` event per ref update to the webhook targets (returns once queued). */
  async fire(repo: RepoInfo, updates: RefUpdate[], pusher: string): Promise<void> {
    const { repos, webhooks } = this.deps;
    if (webhooks.targets().length === 0) return;
    const dir = repos.path(repo.owner, repo.name);
    for (const update of updates) {
      const commits = await commitsOfPush(dir, update).catch(() => []);
      webhooks.dispatch('push', buildPushPayload({ repo, update, commits, pusher, baseUrl: this.deps.baseUrl() }));
    }
  }

  /**
   * Accounting, webhooks and background maintenance for commits written straight into a bare repo.
   * @throws UsageError when the repository does not exist or a sha or ref is malformed.
   */
  async notify(owner: string, name: string, push: PushNotice): Promise<void> {
    const { repos, accounting, clock } = this.deps;
    const info = await repos.get(owner, name);
    if (!info) throw new UsageError(`notifyPush: repository ${owner}/${name} does not exist under ${repos.root}`);
    for (const sha of [push.before, push.after]) {
      if (!/^[0-9a-f]{40}$/.test(sha)) throw new UsageError(`notifyPush: "${sha}" is not a 40-hex commit sha`);
    }
    if (!/^refs\/[A-Za-z0-9._/-]+$/.test(push.ref) || push.ref.includes('..')) throw new UsageError(`notifyPush: ref "${push.ref}" must be a full ref such as refs/heads/main`);
    repos.markPushed(info);
    this.deps.maintenance.schedule(info.fullName, repos.path(owner, name));
    accounting.record({ ts: clock.now(), identity: push.pusher ?? 'workload', repo: info.fullName, route: 'notify-push', category: 'git', method: 'PUSH', status: 200, bytesIn: 0, bytesOut: 0, durationMs: 0 });
    await this.fire(info, [{ ref: push.ref, before: push.before, after: push.after }], push.pusher ?? 'fluxbench');
  }

  /** Resolves when no push is in receive-pack or ref diffing, i.e. every event is queued. */
  async idle(): Promise<void> {
    while (this.locks.size > 0) await Promise.allSettled([...this.locks.values()]);
  }
}
