import { systemClock } from './clock.ts';
import { createAdminControls, issueToken } from './controls.ts';
import { requestListener } from './dispatch.ts';
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
 * and secondary rate limits, run-time faults, push webhooks and the admin API under /_fluxbench/.
 * Every request but the admin API's goes through accounting → auth → rate limits → faults before
 * its handler family (src/github/dispatch.ts).
 *
 * Options (`FakeGitHubOptionsInput`, parsed idempotently; see docs/github.md): `port` (0 = a free
 * one), `storageRoot` (a fresh temp dir when omitted), `timeScale` (divides rate-limit windows),
 * `anonymousRead`, `maxBodyBytes` / `maxJsonBodyBytes` (bytes or quantities such as "64Mi"),
 * `rateLimits` (limits per window; durations as "1h" or seconds), `tokens`, `app`, `webhooks`,
 * `faults`, `quotaSampleInterval` (duration) and `recordLimit` (request records kept in memory).
 * `extras.sink` receives `github` and `fault` samples; `extras.clock` drives limits and fault
 * windows (tests).
 *
 * On disk it leaves bare repos at `<storageRoot>/<owner>/<repo>.git` and a `<storageRoot>/pages`
 * folder; neither is removed by stop(), so a given storageRoot can be served again.
 *
 * The server, a quota-sample timer and fault timers run until `stop()` is called, which the
 * caller must do: it closes the server and its connections, kills git children, ends faults
 * (writing their end samples) and waits for webhook deliveries in flight.
 *
 * @throws UsageError when the options are invalid (naming the field).
 * @throws FluxbenchError when 127.0.0.1:<port> cannot be bound.
 */
export async function startFakeGitHub(input: FakeGitHubOptionsInput = {}, extras: StartFakeGitHubExtras = {}): Promise<StartedFakeGitHub> {
  const options = parseFakeGitHubOptions(input);
  // Run-time patches merge into the rate limits as given, not as parsed (durations in ms).
  const rateLimitsInput: RateLimitOptionsInput = (input as { rateLimits?: RateLimitOptionsInput }).rateLimits ?? {};
  const state = await createState(options, rateLimitsInput, { clock: extras.clock ?? systemClock, sink: extras.sink });
  const { repos, tokens, accounting, quotas, webhooks, pushes } = state;

  let listening: Listening | undefined;
  let quotaTimer: NodeJS.Timeout | undefined;
  const gh: StartedFakeGitHub = {
    get url() {
      return state.baseUrl;
    },
    get port() {
      return Number(new URL(state.baseUrl).port);
    },
    storageRoot: state.storageRoot,
    options,
    admin: createAdminControls(state),
    repoPath: (owner, repo) => repos.path(owner, repo),
    createRepo: (owner, repo, opts) => repos.create(owner, repo, opts),
    notifyPush: (owner, repo, push) => pushes.notify(owner, repo, push),
    issueToken: (spec) => issueToken(state, spec),
    tokens: () => tokens.list(),
    requests: () => accounting.requests(),
    quota: (identity) => quotas.quotaOf(identity),
    deliveries: () => webhooks.deliveries(),
    async webhooksIdle() {
      await pushes.idle();
      await webhooks.idle();
    },
    async stop() {
      clearInterval(quotaTimer);
      state.faults.stop();
      webhooks.stop();
      state.processes.killAll();
      await listening?.close();
      await webhooks.idle();
    },
  };

  listening = await listenOnLoopback(options.port, requestListener(state, gh));
  state.baseUrl = `http://127.0.0.1:${listening.port}`;
  quotaTimer = setInterval(() => quotas.sample(accounting, state.clock.now()), durationMs(options.quotaSampleInterval));
  quotaTimer.unref();
  return gh;
}
