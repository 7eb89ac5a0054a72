import { execa } from 'execa';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kwokEnv, kwokWorkdir } from '../providers/local/cluster.ts';
import type { Toolchain } from '../toolchain/index.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import type { KubeconfigTls } from './kubeconfig.ts';

/** The faults a fleet scenario plays on one spoke's API server. */
export interface ApiServerControl {
  /**
   * SIGTERM (and SIGCONT, should it be paused) to kube-apiserver, SIGKILL if it still runs after
   * the grace; resolves once its port refuses connections and the process is gone, its pid file
   * deleted. Resolves at once when it is not running; throws FluxbenchError if it will not stop.
   */
  stop(): Promise<void>;
  /**
   * `kwokctl --name <cluster> start cluster` (starts the components that are not running: here
   * kube-apiserver, on its old port); resolves once /readyz answers 200 with the spoke's
   * credentials. Throws FluxbenchError with the tail of kwokctl's output, or the last answer of
   * /readyz after `readyTimeoutMs`.
   */
  start(): Promise<void>;
  /** SIGSTOP to kube-apiserver: connections are accepted by the kernel but never answered. Throws FluxbenchError when it is not running. */
  pause(): Promise<void>;
  /** SIGCONT to kube-apiserver (nothing when it is not running). */
  resume(): Promise<void>;
}

export interface ApiServerControlOptions {
  /** The spoke's name, for messages. */
  spoke: string;
  /** The kwokctl cluster's name. */
  clusterName: string;
  toolchain: Pick<Toolchain, 'cacheRoot' | 'binaries'>;
  /** Where the spoke's API server listens, and the credentials /readyz is asked with. */
  tls: KubeconfigTls;
  componentPids(): Promise<Record<string, number>>;
  /**
   * Grace between SIGTERM and SIGKILL (default 5 s). A kube-apiserver told to stop closes its
   * port at once but keeps answering in-flight requests on open connections while it drains;
   * seen here under load, it was still running 30 s later, and the hub's reconciles on those
   * connections hung instead of failing. A spoke that stops is modelled as one that goes away.
   */
  stopGraceMs?: number;
  /** How long start() waits for /readyz (default 120 s). */
  readyTimeoutMs?: number;
}

/** The pid, if that process is alive and runs kube-apiserver: a pid file outlives its process, and pids are reused. */
async function liveApiServer(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  // A zombie's cmdline is empty; a reused pid runs something else.
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv.slice(0, 2).some((arg) => basename(arg) === 'kube-apiserver') ? pid : undefined;
}

/** Whether 127.0.0.1:port refuses a connection (nothing listens); a connection or a timeout is not a refusal. */
export function portRefuses(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (refused: boolean): void => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

/** GET /readyz with the spoke's credentials: the status code, or the client's error code. */
export function readyz(tls: KubeconfigTls, timeoutMs = 2_000): Promise<number | string> {
  const url = new URL('/readyz', tls.server);
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'GET', agent: false, timeout: timeoutMs, ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.end();
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
}

/**
 * Stop, start, pause and resume one spoke's kube-apiserver, leaving etcd and
 * kube-controller-manager running. kwokctl 0.8 has no per-component start or stop command
 * (`kwokctl start|stop cluster` act on every component), so stop() signals the process kwokctl
 * recorded in `<cluster>/pids/kube-apiserver.pid`; start() runs `kwokctl start cluster`, which
 * starts each component whose recorded process is not running (only kube-apiserver) from the
 * command line kwokctl saved at create, on the same port. Messages name the spoke and address,
 * never credentials.
 *
 * kwokctl calls a recorded process running when signal 0 reaches it, which a zombie's pid
 * does: kwokctl detaches its components (setsid) and exits, so a stopped kube-apiserver waits
 * for pid 1 to reap it, and on machines whose init never reaps (containers, microVMs) it stays
 * a zombie. stop() and start() therefore delete the pid file of a kube-apiserver that is gone
 * or a zombie, as `kwokctl stop cluster` deletes the files of what it stops.
 */
export function apiServerControl(options: ApiServerControlOptions): ApiServerControl {
  const url = new URL(options.tls.server);
  const host = url.hostname;
  const port = Number(url.port || 443);
  const pidFile = join(kwokWorkdir(options.toolchain), 'clusters', options.clusterName, 'pids', 'kube-apiserver.pid');
  const recorded = async (): Promise<number | undefined> => (await options.componentPids())['kube-apiserver'];
  const current = async (): Promise<number | undefined> => liveApiServer(await recorded());
  const forgetIfGone = async (): Promise<void> => {
    const pid = await recorded();
    if (pid !== undefined && (await liveApiServer(pid)) === undefined) await rm(pidFile, { force: true });
  };
  const where = `spoke ${options.spoke}: kube-apiserver (${url.host})`;
  return {
    async stop() {
      const pid = await current();
      if (pid === undefined) {
        if (!(await portRefuses(host, port))) throw new FluxbenchError(`${where} has no running process on record, yet its port accepts connections`);
        return forgetIfGone();
      }
      const gone = async (): Promise<boolean> => (await portRefuses(host, port)) && (await liveApiServer(pid)) === undefined;
      signal(pid, 'SIGTERM');
      // A paused process acts on SIGTERM only once continued.
      signal(pid, 'SIGCONT');
      if (!(await until(gone, options.stopGraceMs ?? 5_000))) {
        if ((await liveApiServer(pid)) !== undefined) signal(pid, 'SIGKILL');
        if (!(await until(gone, 5_000))) throw new FluxbenchError(`${where} still runs or accepts connections after SIGTERM and SIGKILL`);
      }
      await forgetIfGone();
    },
    async start() {
      const kwokctl = options.toolchain.binaries.kwokctl;
      if (!kwokctl) throw new FluxbenchError('the toolchain has no kwokctl; run `fluxbench setup`');
      await forgetIfGone();
      const started = await execa(kwokctl, ['--name', options.clusterName, 'start', 'cluster'], {
        env: kwokEnv(options.toolchain),
        reject: false,
        all: true,
        timeout: 180_000,
      });
      if (started.exitCode !== 0) {
        const tail = (started.all ?? '').split('\n').slice(-20).join('\n');
        throw new FluxbenchError(`${where}: kwokctl start cluster ${options.clusterName} failed (exit ${started.exitCode}):\n${tail}`);
      }
      let last: number | string = 'not asked';
      const ready = await until(async () => (last = await readyz(options.tls)) === 200, options.readyTimeoutMs ?? 120_000, 250);
      if (!ready) throw new FluxbenchError(`${where}: /readyz did not answer 200 within ${(options.readyTimeoutMs ?? 120_000) / 1000}s after a restart (last: ${last})`);
    },
    async pause() {
      const pid = await current();
      if (pid === undefined) throw new FluxbenchError(`${where} is not running: nothing to pause`);
      signal(pid, 'SIGSTOP');
    },
    async resume() {
      const pid = await current();
      if (pid !== undefined) signal(pid, 'SIGCONT');
    },
  };
}
