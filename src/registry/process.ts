import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { FluxbenchError } from '../util/exit-codes.ts';
import { freePort } from '../util/ports.ts';
import { writeHtpasswd, type Credentials } from './credentials.ts';

export interface RegistryProcessOptions {
  /** The `registry` binary of the CNCF Distribution (toolchain key `registry`). */
  binary: string;
  /** Filesystem storage root; created when missing. Config, htpasswd and log go beside it. */
  storageDir: string;
  /** Users the registry's htpasswd accepts. */
  users: readonly Credentials[];
  /** Called with the child's pid (a process-group leader) as soon as it exists, e.g. to record it for the reaper. */
  onPid?: (pid: number, name: string) => void;
  /** How long to wait for `GET /v2/` to answer; default 20 s. */
  startTimeoutMs?: number;
}

export interface RegistryProcess {
  readonly pid: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly configPath: string;
  readonly logPath: string;
  /** SIGTERM to its process group, SIGKILL after 5 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** What Distribution reads: filesystem storage, deletes allowed, htpasswd auth, quiet logs. */
export function registryConfig(params: { port: number; storageDir: string; htpasswdPath: string; secret: string }): Record<string, unknown> {
  return {
    version: 0.1,
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: params.storageDir },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
    },
    http: {
      addr: `127.0.0.1:${params.port}`,
      // Signs upload state; made fresh per start.
      secret: params.secret,
      // Upload locations relative to the request, so they resolve through the gateway.
      relativeurls: true,
    },
    auth: { htpasswd: { realm: 'fluxbench', path: params.htpasswdPath } },
  };
}

const startAttempts = 3;

/**
 * Starts `registry serve <config>` on 127.0.0.1 at a free port, in its own process group, and
 * waits until `GET /v2/` answers (401 without credentials). Writes, beside `storageDir`:
 * `<storageDir>.config.yml` (mode 0600: it holds the upload-signing secret), `<storageDir>.htpasswd`
 * (0600, bcrypt hashes of `users`) and `<storageDir>.log` (its warnings and errors); all stay on
 * disk after stop(), as does the storage.
 * @throws FluxbenchError with the log's tail when it exits or does not answer in time.
 */
export async function startRegistryProcess(options: RegistryProcessOptions): Promise<RegistryProcess> {
  const { storageDir } = options;
  await mkdir(storageDir, { recursive: true, mode: 0o700 });
  await mkdir(dirname(storageDir), { recursive: true });
  const configPath = `${storageDir}.config.yml`;
  const htpasswdPath = `${storageDir}.htpasswd`;
  const logPath = `${storageDir}.log`;
  await writeHtpasswd(htpasswdPath, options.users);
  const secret = randomBytes(32).toString('base64url');
  let lastError: FluxbenchError | undefined;
  // The port is free when picked and bound by the child a moment later: another process may win it.
  for (let attempt = 0; attempt < startAttempts; attempt++) {
    const port = await freePort();
    await writeFile(configPath, stringify(registryConfig({ port, storageDir, htpasswdPath, secret })), { mode: 0o600 });
    const child = spawnRegistry(options.binary, configPath, logPath);
    const pid = child.pid;
    if (pid === undefined) throw new FluxbenchError(`registry ${options.binary} could not be started`);
    options.onPid?.(pid, 'registry');
    const stop = () => stopChild(child);
    const outcome = await waitUntilAnswering(child, port, options.startTimeoutMs ?? 20_000);
    if (outcome === 'ready') return { pid, port, url: `http://127.0.0.1:${port}`, configPath, logPath, stop };
    await stop();
    const tail = await logTail(logPath);
    lastError = new FluxbenchError(`registry ${outcome === 'exited' ? 'exited' : 'did not answer GET /v2/ in time'} (log ${logPath}):\n${tail}`);
    if (!/address already in use/.test(tail)) break;
  }
  throw lastError!;
}

function spawnRegistry(binary: string, configPath: string, logPath: string): ChildProcess {
  const log = openSync(logPath, 'a');
  try {
    return spawn(binary, ['serve', configPath], {
      // Only what it needs: REGISTRY_* variables in the runner's environment would override the config.
      // Distribution exports traces to localhost:4318 unless told not to.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OTEL_TRACES_EXPORTER: 'none' },
      stdio: ['ignore', log, log],
      // Its own process group: teardown and the reaper signal the group; a Ctrl-C meant for the runner does not reach it.
      detached: true,
    });
  } finally {
    closeSync(log);
  }
}

/** Polls `GET /v2/` until any HTTP answer, the child's exit or the timeout. */
async function waitUntilAnswering(child: ChildProcess, port: number, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let exited = child.exitCode !== null || child.signalCode !== null;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    if (await answers(port)) return 'ready';
    await sleep(50);
  }
  return 'timeout';
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/', method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 401 || res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

const stopGraceMs = 5_000;

async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  // An exited child's pid may belong to another process by now: never signal it.
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), stopGraceMs);
  await exited;
  clearTimeout(timer);
}

async function logTail(path: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const execFileAsync = promisify(execFile);

/** The registry binary's version (`v3.1.2`), from `registry --version`. @throws when it cannot run. */
export async function registryVersion(binary: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000 });
  // `<path> github.com/distribution/distribution/v3 v3.1.2`: the last word (the path may hold a version too).
  return stdout.trim().split(/\s+/).pop() ?? stdout.trim();
}
