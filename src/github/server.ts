import { systemClock } from './clock.ts';
import { newAdminSecret } from './admin-auth.ts';
import { createAdminControls, issueToken } from './controls.ts';
import { adminRequestListener, requestListener } from './dispatch.ts';
import { listenOnLoopback, type Listening } from './listen.ts';
import { durationMs, parseFakeGitHubOptions, type FakeGitHubOptionsInput, type RateLimitOptionsInput } from './options.ts';
import { createState } from './state.ts';
import type { StartedFakeGitHub, StartFakeGitHubExtras } from './types.ts';

export type { FakeGitHubAdmin, StartedFakeGitHub, StartFakeGitHubExtras } from './types.ts';
export { parseFakeGitHubOptions } from './options.ts';
export { zeroSha } from './git.ts';

/**
 * Starts the fake GitHub: an HTTP server on 127.0.0.1:<port> serving git smart-HTTP from bare
 * repos, a REST subset in GitHub's shapes, static pages (Helm repositories), GitHub-like primary
 * and secondary rate limits, run-time faults and push webhooks. Every request goes through
 * accounting → identification (and a challenge to git without credentials) → faults →
 * credentials → rate limits before its handler family (src/github/dispatch.ts).
 *
 * The admin API (/_fluxbench/) is served on a second listener, also on 127.0.0.1 only
 * (`adminUrl`, port `extras.adminPort`, 0 = a free one), and answers only requests carrying
 * `Authorization: Bearer <adminSecret>`; the secret is made fresh for each start and is never
 * written anywhere by the server. The main port answers /_fluxbench/ with 404, so relaying it to
 * a pod network (kind, k3s) cannot expose the admin API. In-process callers use `admin` instead.
 *
 * Options (`FakeGitHubOptionsInput`, parsed idempotently; see docs/github.md): `port` (0 = a free
 * one), `storageRoot` (a fresh temp dir when omitted), `timeScale` (divides rate-limit windows),
 * `anonymousRead`, `maxBodyBytes` / `maxJsonBodyBytes` (bytes or quantities such as "64Mi"),
 * `rateLimits` (limits per window; durations as "1h" or seconds), `tokens`, `app`, `webhooks`,
 * `faults`, `quotaSampleInterval` (duration) and `recordLimit` (request records kept in memory).
 * `extras.sink` receives `github` and `fault` samples; `extras.clock` drives limits and fault
 * windows (tests); `extras.maintenance` tunes the background repacks.
 *
 * Repositories are kept as GitHub keeps them (src/util/git-storage.ts): pushes stay packed and,
 * after pushes (or notifyPush), a background repack per repository rolls small packs up and
 * refreshes the bitmap (src/github/maintenance.ts), writing a `github`/`maintenance` sample with
 * its CPU time. Each git RPC's cost (wall and CPU time of the git child, pack-objects' reuse
 * summary) is in its request sample's detail.
 *
 * On disk it leaves bare repos at `<storageRoot>/<owner>/<repo>.git` and a `<storageRoot>/pages`
 * folder; neither is removed by stop(), so a given storageRoot can be served again.
 *
 * Both listeners, a quota-sample timer, fault timers and maintenance timers run until `stop()` is
 * called, which the caller must do: it closes the listeners and their connections, kills git
 * children with their process groups (repacks included), ends faults (writing their end samples)
 * and waits for webhook deliveries in flight.
 *
 * @throws UsageError when the options are invalid (naming the field).
 * @throws FluxbenchError when 127.0.0.1:<port> or the admin port cannot be bound.
 */
export async function startFakeGitHub(input: FakeGitHubOptionsInput = {}, extras: StartFakeGitHubExtras = {}): Promise<StartedFakeGitHub> {
  const options = parseFakeGitHubOptions(input);
  // Run-time patches merge into the rate limits as given, not as parsed (durations in ms).
  const rateLimitsInput: RateLimitOptionsInput = (input as { rateLimits?: RateLimitOptionsInput }).rateLimits ?? {};
  const state = await createState(options, rateLimitsInput, { clock: extras.clock ?? systemClock, sink: extras.sink, maintenance: extras.maintenance });
  const { repos, tokens, accounting, quotas, webhooks, pushes } = state;

  const adminSecret = newAdminSecret();
  let listening: Listening | undefined;
  let adminListening: Listening | undefined;
  let quotaTimer: NodeJS.Timeout | undefined;
  const gh: StartedFakeGitHub = {
    get url() {
      return state.baseUrl;
    },
    get port() {
      return Number(new URL(state.baseUrl).port);
    },
    get adminUrl() {
      return `http://127.0.0.1:${adminListening?.port ?? 0}`;
    },
    adminSecret,
    storageRoot: state.storageRoot,
    options,
    admin: createAdminControls(state),
    repoPath: (owner, repo) => repos.path(owner, repo),
    createRepo: (owner, repo, opts) => repos.create(owner, repo, opts),
    notifyPush: (owner, repo, push) => pushes.notify(owner, repo, push),
    issueToken: (spec) => issueToken(state, spec),
    tokens: () => tokens.list(),
    requests: () => accounting.requests(),
    requestCounts: () => accounting.counts(),
    quota: (identity) => quotas.quotaOf(identity),
    deliveries: () => webhooks.deliveries(),
    async webhooksIdle() {
      await pushes.idle();
      await webhooks.idle();
    },
    async maintenanceIdle() {
      // A push schedules its repack after its ref diff, which may end after the client has its answer.
      await pushes.idle();
      await state.maintenance.idle();
    },
    async stop() {
      clearInterval(quotaTimer);
      state.faults.stop();
      webhooks.stop();
      const maintenanceStopped = state.maintenance.stop();
      await state.processes.stop();
      await maintenanceStopped;
      await Promise.all([listening?.close(), adminListening?.close()]);
      await webhooks.idle();
    },
  };

  // Not enumerable: a handle logged or serialized by mistake does not carry the secret along.
  Object.defineProperty(gh, 'adminSecret', { enumerable: false });
  listening = await listenOnLoopback(options.port, requestListener(state));
  try {
    adminListening = await listenOnLoopback(extras.adminPort ?? 0, adminRequestListener(state, gh, adminSecret));
  } catch (err) {
    await listening.close();
    throw err;
  }
  state.baseUrl = `http://127.0.0.1:${listening.port}`;
  quotaTimer = setInterval(() => quotas.sample(accounting, state.clock.now()), durationMs(options.quotaSampleInterval));
  quotaTimer.unref();
  return gh;
}
