/**
 * Running the registry CLIs users push with (`flux`, `helm`) the way a CI job does: a private
 * registry login for the one call, a time bound, and errors that never carry the password.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FluxbenchError } from '../util/exit-codes.ts';
import { redactSecrets } from '../util/redact.ts';

/** Push credentials of a registry (basic auth); none means an anonymous push. */
export interface RegistryLogin {
  /** `127.0.0.1:PORT`, the host part of the `oci://` references. */
  host: string;
  username?: string;
  password?: string;
}

/** The values an error message must never show: the password and the `user:password` auth string. */
export function loginSecrets(login: RegistryLogin): string[] {
  if (!login.password) return [];
  return [login.password, Buffer.from(`${login.username ?? ''}:${login.password}`).toString('base64')];
}

/**
 * A folder of its own for one CLI call, holding a Docker-style `config.json` with the login
 * (what `docker login` / `helm registry login` write), mode 0600 in a 0700 folder, removed when
 * `body` settles. Credentials reach the CLI through this file, never through its arguments,
 * which every local user can read in /proc/<pid>/cmdline.
 */
export async function withLoginConfig<T>(login: RegistryLogin, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxbench-oci-'));
  try {
    const auths = login.password ? { [login.host]: { auth: Buffer.from(`${login.username ?? ''}:${login.password}`).toString('base64') } } : {};
    await writeFile(join(dir, 'config.json'), `${JSON.stringify({ auths })}\n`, { mode: 0o600 });
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ToolCall {
  /** What the call does, for the error message ("flux push artifact oci://…"). */
  what: string;
  binary: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Kill the call after this long (ms). */
  timeoutMs: number;
  /** Removed from any error message. */
  secrets: readonly string[];
}

/**
 * Runs one CLI call and resolves with its stdout. The environment is the given one plus PATH
 * only, so nothing of the caller's (DOCKER_CONFIG, HELM_*, HOME) changes what it does.
 * Throws FluxbenchError naming the call, its exit code or timeout and the end of its stderr,
 * with every secret replaced by `***`.
 */
export async function runTool(call: ToolCall): Promise<string> {
  const result = await execa(call.binary, [...call.args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...call.env },
    extendEnv: false,
    reject: false,
    timeout: call.timeoutMs,
    stdin: 'ignore',
  });
  if (result.exitCode === 0 && !result.timedOut) return result.stdout;
  const cause = result.timedOut
    ? `timed out after ${Math.round(call.timeoutMs / 1000)}s`
    : result.failed && result.exitCode === undefined
      ? `could not run: ${result.shortMessage ?? result.message}`
      : `exit code ${result.exitCode}`;
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
  throw new FluxbenchError(redactSecrets(`${call.what} failed (${cause})${output ? `:\n${output}` : ''}`, call.secrets));
}
