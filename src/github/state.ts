import { mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleSink } from '../metrics/sample.ts';
import { Accounting } from './accounting.ts';
import { TokenRegistry } from './auth.ts';
import type { Clock } from './clock.ts';
import { FaultController } from './faults.ts';
import { GitProcesses } from './git-processes.ts';
import { RepoMaintenance, type MaintenanceOptions } from './maintenance.ts';
import { durationMs, type FakeGitHubOptions, type RateLimitOptionsInput } from './options.ts';
import { Pushes } from './pushes.ts';
import { Quotas, type Installation } from './quotas.ts';
import { RepoStore } from './repos.ts';
import { StatusStore } from './rest.ts';
import { WebhookDispatcher } from './webhooks.ts';

/**
 * Everything one fake GitHub holds between requests. Created once by startFakeGitHub and handed
 * to every middleware and handler (through the request context) and to the admin controls.
 */
export interface FakeGitHubState {
  readonly options: FakeGitHubOptions;
  readonly clock: Clock;
  /** Bare repos live at `<storageRoot>/<owner>/<repo>.git`. */
  readonly storageRoot: string;
  /** The real path of `<storageRoot>/pages`: pages never serve a file outside it. */
  readonly pagesRoot: string;
  /** http://127.0.0.1:PORT once listening. */
  baseUrl: string;
  /** Public repos readable without credentials; the admin API can flip it. */
  anonymousRead: boolean;
  /** Configured GitHub App installations by id. */
  readonly installations: ReadonlyMap<number, Installation>;
  readonly tokens: TokenRegistry;
  readonly quotas: Quotas;
  readonly faults: FaultController;
  readonly accounting: Accounting;
  readonly repos: RepoStore;
  readonly statuses: StatusStore;
  readonly webhooks: WebhookDispatcher;
  readonly pushes: Pushes;
  /** git children in flight, killed by stop(). */
  readonly processes: GitProcesses;
  /** Background repacks after pushes. */
  readonly maintenance: RepoMaintenance;
}

/**
 * Builds the state from parsed options: creates the storage root (a fresh temp dir when none is
 * given) and its `pages` folder, registers the configured tokens and faults.
 */
export async function createState(
  options: FakeGitHubOptions,
  rateLimitsInput: RateLimitOptionsInput,
  extras: { clock: Clock; sink: SampleSink | undefined; maintenance?: MaintenanceOptions | undefined },
): Promise<FakeGitHubState> {
  const { clock, sink } = extras;
  const storageRoot = options.storageRoot ?? (await mkdtemp(join(tmpdir(), 'fluxbench-github-')));
  await mkdir(join(storageRoot, 'pages'), { recursive: true });
  const pagesRoot = await realpath(join(storageRoot, 'pages'));

  const tokens = new TokenRegistry();
  for (const spec of options.tokens) tokens.issue(spec);
  const faults = new FaultController(clock, sink);
  for (const spec of options.faults) faults.addParsed(spec);
  const installations = new Map((options.app?.installations ?? []).map((i) => [i.id, i]));
  const quotas = new Quotas({ rateLimits: options.rateLimits, rateLimitsInput, timeScale: options.timeScale }, clock, tokens, installations);
  const accounting = new Accounting(sink, options.recordLimit);
  const repos = new RepoStore(storageRoot);
  const { targets, attempts, backoff, timeout } = options.webhooks;
  const webhooks = new WebhookDispatcher({ targets, attempts, backoffMs: durationMs(backoff), timeoutMs: durationMs(timeout) }, sink);
  const processes = new GitProcesses();
  const maintenance = new RepoMaintenance({ processes, clock, sink }, extras.maintenance);

  const state: FakeGitHubState = {
    options,
    clock,
    storageRoot,
    pagesRoot,
    baseUrl: '',
    anonymousRead: options.anonymousRead,
    installations,
    tokens,
    quotas,
    faults,
    accounting,
    repos,
    statuses: new StatusStore(),
    webhooks,
    pushes: new Pushes({ repos, webhooks, accounting, maintenance, clock, baseUrl: () => state.baseUrl }),
    processes,
    maintenance,
  };
  return state;
}
