/**
 * Churn: commits straight into a bare repo (one fast-import commit on top of
 * refs/heads/main), bumping apps' churn ConfigMaps so kustomize-controller must re-apply
 * them. Commits to one repo are serialised; a churn loop is bounded in count and time.
 */
import { globToRegExp } from '../util/glob.ts';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { parseDuration } from '../util/units.ts';
import { runFastImport, type FileChange, type Identity } from './fast-import.ts';
import type { GeneratedWorkload } from './generate.ts';
import { resolveRef } from './git.ts';
import { churnFileName, renderChurnConfigMap } from './manifests.ts';

export interface ChurnRepo {
  /** owner/name */
  fullName: string;
  /** Bare repo directory. */
  path: string;
}

export interface ChurnApp {
  name: string;
  /** App directory inside the repo. */
  dir: string;
}

export interface CommitEvent {
  /** owner/name */
  repo: string;
  /** Always refs/heads/main. */
  ref: string;
  sha: string;
  parentSha: string;
  /** When the new commit became visible at refs/heads/main (ms since the epoch). */
  pushedAt: number;
  apps: string[];
}

export interface CommitChangeOptions {
  repo: ChurnRepo;
  /** Apps whose churn ConfigMap the commit bumps. */
  apps: readonly ChurnApp[];
  /** Random payload bytes spread over the touched ConfigMaps. */
  bytes?: number;
  /** Extra files to write (path inside the repo → content). */
  files?: Readonly<Record<string, string | Buffer>>;
  message?: string;
  author?: Identity;
}

const churnAuthor: Identity = { name: 'fluxbench-churn', email: 'churn@fluxbench.local' };
const repoQueues = new Map<string, Promise<unknown>>();
let churnSequence = 0;

/** Runs `task` after every earlier task for the same repo has finished. */
function serialised<T>(gitDir: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(gitDir);
  const previous = repoQueues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  repoQueues.set(key, tail);
  void tail.then(() => {
    if (repoQueues.get(key) === tail) repoQueues.delete(key);
  });
  return run;
}

/** One commit on top of refs/heads/main, bumping the given apps; resolves once the ref moved. */
export async function commitChange(options: CommitChangeOptions): Promise<CommitEvent> {
  const { repo } = options;
  if (options.apps.length === 0 && !options.files) throw new UsageError('commitChange: give at least one app or file to change');
  return serialised(repo.path, async () => {
    const parentSha = await resolveRef(repo.path);
    if (!parentSha) throw new FluxbenchError(`${repo.path} has no refs/heads/main to commit on (generate the workload first)`);
    const sequence = ++churnSequence;
    const stamp = new Date().toISOString();
    const payloadEach = options.apps.length > 0 ? Math.floor((options.bytes ?? 0) / options.apps.length) : 0;
    const changes: FileChange[] = options.apps.map((app) => ({
      path: `${app.dir}/${churnFileName}`,
      content: renderChurnConfigMap(app.name, sequence, `churn ${stamp} #${sequence}`, payloadEach > 0 ? randomBytes(Math.ceil((payloadEach * 3) / 4)).toString('base64').slice(0, payloadEach) : ''),
    }));
    for (const [path, content] of Object.entries(options.files ?? {})) changes.push({ path, content });
    const names = options.apps.map((a) => a.name);
    const result = await runFastImport(repo.path, async (writer) => {
      const mark = writer.commit({
        ref: 'refs/heads/main',
        author: options.author ?? churnAuthor,
        time: Date.now() / 1000,
        message: options.message ?? `Churn ${names.join(', ') || 'files'} #${sequence}`,
        from: parentSha,
        changes,
      });
      writer.getMark(mark);
    });
    const pushedAt = Date.now();
    const sha = result.output.at(-1);
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new FluxbenchError(`git fast-import in ${repo.path} did not report the new commit`);
    return { repo: repo.fullName, ref: 'refs/heads/main', sha, parentSha, pushedAt, apps: names };
  });
}

/** The arguments of the fake GitHub's `notifyPush(owner, repo, push)` for a commit. */
export function pushNotification(event: CommitEvent): { owner: string; repo: string; push: { ref: string; before: string; after: string } } {
  const [owner, repo] = event.repo.split('/') as [string, string];
  return { owner, repo, push: { ref: event.ref, before: event.parentSha, after: event.sha } };
}

export interface ChurnOptions {
  repo: ChurnRepo;
  /** Candidate apps in that repo. */
  apps: readonly ChurnApp[];
  /** Globs over app names (`app-00*`, `*`); default every candidate. */
  select?: readonly string[];
  /** Apps bumped per commit, chosen round-robin. Default 1. */
  appsPerCommit?: number;
  /** Commits per second (> 0). */
  rate: number;
  bytesPerCommit?: number;
  maxCommits: number;
  /** Milliseconds, or a duration string such as "5m" or "500ms". */
  maxDuration: number | string;
  onCommit?: (event: CommitEvent) => void | Promise<void>;
}

export interface ChurnSummary {
  commits: number;
  startedAt: number;
  endedAt: number;
  lastSha?: string;
  /** Why the loop ended. */
  reason: 'maxCommits' | 'maxDuration' | 'stopped';
}

export interface ChurnHandle {
  /** Stops after the commit in flight (if any); resolves with the summary. */
  stop(): Promise<ChurnSummary>;
  /** Settles when the loop ends; rejects if a commit or onCommit failed. */
  done: Promise<ChurnSummary>;
}

function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (name) => patterns.some((p) => p.test(name));
}

/** Validates churn options; returns the selected apps and the time bound in ms. */
export function checkChurnOptions(options: ChurnOptions): { apps: ChurnApp[]; maxDurationMs: number } {
  if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new UsageError(`churn rate ${options.rate}: must be a number of commits per second above 0`);
  if (!Number.isInteger(options.maxCommits) || options.maxCommits < 1) throw new UsageError(`churn maxCommits ${options.maxCommits}: must be a whole number of at least 1`);
  const perCommit = options.appsPerCommit ?? 1;
  if (!Number.isInteger(perCommit) || perCommit < 1) throw new UsageError(`churn appsPerCommit ${perCommit}: must be a whole number of at least 1`);
  if ((options.bytesPerCommit ?? 0) < 0) throw new UsageError(`churn bytesPerCommit ${options.bytesPerCommit}: must be 0 or more`);
  let maxDurationMs: number;
  try {
    maxDurationMs = typeof options.maxDuration === 'number' ? options.maxDuration : parseDuration(options.maxDuration);
  } catch (err) {
    throw new UsageError(`churn maxDuration: ${(err as Error).message}`);
  }
  if (!(maxDurationMs > 0)) throw new UsageError(`churn maxDuration ${options.maxDuration}: must be longer than 0`);
  const matches = globMatcher(options.select ?? ['*']);
  const apps = options.apps.filter((a) => matches(a.name));
  if (apps.length === 0) {
    throw new UsageError(`churn: no app of ${options.repo.fullName} matches ${JSON.stringify(options.select ?? ['*'])}; apps there: ${options.apps.slice(0, 10).map((a) => a.name).join(', ') || '(none)'}`);
  }
  return { apps, maxDurationMs };
}

/** Commits at `rate` per second until maxCommits, maxDuration or stop(), whichever comes first. */
export function startChurn(options: ChurnOptions): ChurnHandle {
  const { apps, maxDurationMs } = checkChurnOptions(options);
  const perCommit = Math.min(options.appsPerCommit ?? 1, apps.length);
  const startedAt = Date.now();
  const deadline = startedAt + maxDurationMs;
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolveSleep) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolveSleep();
      }
      wake = done;
    });

  const loop = async (): Promise<ChurnSummary> => {
    let commits = 0;
    let lastSha: string | undefined;
    let reason: ChurnSummary['reason'] = 'maxCommits';
    let cursor = 0;
    while (commits < options.maxCommits) {
      // Commit n is due at start + n/rate; a slow commit delays the next, never bunches them.
      const due = startedAt + (commits * 1000) / options.rate;
      const now = Date.now();
      if (!stopped && due > now) await sleep(Math.min(due, deadline) - now);
      if (stopped) {
        reason = 'stopped';
        break;
      }
      if (Date.now() >= deadline) {
        reason = 'maxDuration';
        break;
      }
      const chosen: ChurnApp[] = [];
      for (let k = 0; k < perCommit; k++) chosen.push(apps[(cursor + k) % apps.length]!);
      cursor = (cursor + perCommit) % apps.length;
      const event = await commitChange({ repo: options.repo, apps: chosen, bytes: options.bytesPerCommit ?? 0 });
      commits += 1;
      lastSha = event.sha;
      await options.onCommit?.(event);
    }
    return { commits, startedAt, endedAt: Date.now(), lastSha, reason };
  };
  const done = loop();
  // A caller that only uses stop() still sees failures there; this keeps Node from calling them unhandled.
  done.catch(() => undefined);
  return {
    done,
    stop() {
      stopped = true;
      wake?.();
      return done;
    },
  };
}

/** The churn target for one generated repo: its bare repo and the apps that live in it. */
export function churnTarget(workload: Pick<GeneratedWorkload, 'repos' | 'apps'>, repoFullName: string): { repo: ChurnRepo; apps: ChurnApp[] } {
  const repo = workload.repos.find((r) => r.fullName === repoFullName || r.name === repoFullName);
  if (!repo) {
    throw new UsageError(`churn repo "${repoFullName}" is not in the workload; repos: ${workload.repos.map((r) => r.fullName).join(', ')}`);
  }
  const apps = workload.apps.filter((a) => a.repo === repo.fullName && a.churnable).map((a) => ({ name: a.name, dir: a.dir }));
  return { repo: { fullName: repo.fullName, path: repo.path }, apps };
}
