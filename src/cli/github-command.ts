import { Command, Option } from 'commander';
import { UsageError } from '../util/exit-codes.ts';
import { NdjsonWriter } from '../util/ndjson.ts';
import type { Sample } from '../metrics/sample.ts';
import { parseFakeGitHubOptions, startFakeGitHub, type FakeGitHubOptionsInput } from '../github/index.ts';
import { portFromFlag, readServeConfig } from './serve-config.ts';

interface ServeFlags {
  port?: string;
  adminPort?: string;
  storageRoot?: string;
  config?: string;
  token: string[];
  repo: string[];
  privateRepo: string[];
  timeScale?: string;
  anonymousRead: boolean;
  samples?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitRepo(flag: string, value: string): [string, string] {
  const parts = value.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`${flag} "${value}": expected owner/name, e.g. acme/app`);
  return [parts[0], parts[1]];
}

/** Builds the options object from the config file (YAML/JSON, the `github:` block of a scenario or bare) and flags. */
export async function serveOptionsFromFlags(flags: ServeFlags): Promise<FakeGitHubOptionsInput> {
  const base = flags.config ? await readServeConfig(flags.config, 'github', 'fake GitHub options') : {};
  const options: Record<string, unknown> = { ...base };
  if (flags.port !== undefined) options.port = portFromFlag('--port', flags.port);
  if (flags.storageRoot !== undefined) options.storageRoot = flags.storageRoot;
  if (flags.timeScale !== undefined) {
    const scale = Number(flags.timeScale);
    if (!(scale > 0)) throw new UsageError(`--time-scale "${flags.timeScale}": expected a positive number (60 = an hour passes in a minute)`);
    options.timeScale = scale;
  }
  if (!flags.anonymousRead) options.anonymousRead = false;
  const tokens = [...((base.tokens as unknown[] | undefined) ?? [])];
  for (const spec of flags.token) {
    const eq = spec.indexOf('=');
    tokens.push(eq < 0 ? { name: spec } : { name: spec.slice(0, eq), token: spec.slice(eq + 1) });
  }
  options.tokens = tokens;
  return options as FakeGitHubOptionsInput;
}

/** `--admin-port`: the admin listener's port on 127.0.0.1 (0 or absent = a free one). */
export function adminPortFromFlag(value: string | undefined): number {
  return portFromFlag('--admin-port', value);
}

/**
 * `fluxbench github serve`: runs the fake GitHub alone until SIGINT/SIGTERM. Its one JSON line on
 * stdout is the only place the admin secret appears: `{url, adminUrl, adminSecret, admin,
 * storageRoot, tokens}` (nothing is written to disk but the repos and `--samples`).
 */
export function registerGithubCommand(program: Command): void {
  const github = program.command('github').description('the fake GitHub (git smart-HTTP, REST subset, rate limits, faults, webhooks)');
  github
    .command('serve')
    .description('serve the fake GitHub on 127.0.0.1 until interrupted; prints one JSON line with url, adminUrl, adminSecret and tokens when ready')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 = random free port)')
    .option('--admin-port <port>', 'port of the admin API listener on 127.0.0.1 (0 = random free port)')
    .option('--storage-root <dir>', 'bare repos live at <dir>/<owner>/<repo>.git, pages under <dir>/pages (default: a new temp dir)')
    .option('-c, --config <file>', 'YAML/JSON with fake GitHub options (a scenario file\'s `github:` block works too)')
    .option('--token <name[=secret]>', 'accept a token (repeatable); the secret is generated when omitted', collect, [])
    .option('--repo <owner/name>', 'create a public repo if missing (repeatable)', collect, [])
    .option('--private-repo <owner/name>', 'create a private repo if missing (repeatable)', collect, [])
    .option('--time-scale <factor>', 'compress rate-limit windows: 60 = an hour passes in a minute')
    .addOption(new Option('--no-anonymous-read', 'refuse anonymous reads of public repos'))
    .option('--samples <file>', 'append github/fault samples to this NDJSON file')
    .action(async (flags: ServeFlags) => {
      const input = await serveOptionsFromFlags(flags);
      parseFakeGitHubOptions(input);
      const adminPort = adminPortFromFlag(flags.adminPort);
      const writer = flags.samples ? new NdjsonWriter<Sample>(flags.samples) : undefined;
      const gh = await startFakeGitHub(input, { adminPort, ...(writer ? { sink: writer } : {}) });
      try {
        for (const [list, isPrivate] of [[flags.repo, false], [flags.privateRepo, true]] as const) {
          for (const spec of list) {
            const [owner, name] = splitRepo(isPrivate ? '--private-repo' : '--repo', spec);
            gh.repoPath(owner, name);
            try {
              await gh.createRepo(owner, name, { private: isPrivate });
            } catch (err) {
              if (!/already exists/.test((err as Error).message)) throw err;
            }
          }
        }
      } catch (err) {
        await gh.stop();
        writer?.close();
        throw err;
      }
      const issued = Object.fromEntries(gh.tokens().filter((t) => t.kind === 'token').map((t) => [t.name, t.token]));
      const ready = { url: gh.url, adminUrl: gh.adminUrl, adminSecret: gh.adminSecret, admin: `${gh.adminUrl}/_fluxbench/`, storageRoot: gh.storageRoot, tokens: issued };
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await gh.stop();
      writer?.close();
    });
}
