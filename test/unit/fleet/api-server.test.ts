import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiServerControl, portRefuses, type KubeconfigTls } from '../../../src/fleet/index.ts';
import { createRunCertificateAuthority } from '../../../src/serving/tls.ts';
import { readComponentPids } from '../../../src/providers/local/cluster.ts';
import { freePort } from '../../../src/util/ports.ts';
import { writeRecordingCli } from '../../support/recording-cli.ts';

/** Process state from /proc/<pid>/stat: R, S, T (stopped), Z. */
function state(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return undefined;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('a spoke\'s API server faults', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-fleet-apiserver-'));
    await writeFile(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in kube-apiserver: a process whose argv names kube-apiserver, listening on `port`. */
  async function fakeApiServer(port: number): Promise<number> {
    const script = join(dir, 'kube-apiserver');
    await writeFile(script, `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1');\n`);
    const child = spawn(process.execPath, [script], { stdio: 'ignore' });
    children.push(child);
    await until(async () => !(await portRefuses('127.0.0.1', port)));
    return child.pid!;
  }

  /** kwokctl's pid files for the cluster fb-1-spoke-01 in the kwok workdir under `dir`, as read by the local provider. */
  async function pidFiles(pids: Record<string, number>): Promise<{ dir: string; read: () => Promise<Record<string, number>> }> {
    const clusterDir = join(dir, 'kwok', 'clusters', 'fb-1-spoke-01');
    await mkdir(join(clusterDir, 'pids'), { recursive: true });
    for (const [name, pid] of Object.entries(pids)) await writeFile(join(clusterDir, 'pids', `${name}.pid`), String(pid));
    return { dir: join(clusterDir, 'pids'), read: () => readComponentPids(clusterDir) };
  }

  /** spoke-01's control with no kwokctl (stop, pause and resume need none), its API server on `port`. */
  const controlWithoutKwokctl = (port: number, componentPids: () => Promise<Record<string, number>>) =>
    apiServerControl({ spoke: 'spoke-01', clusterName: 'fb-1-spoke-01', toolchain: { cacheRoot: dir, binaries: {} }, tls: { server: `https://127.0.0.1:${port}` }, componentPids });

  it('pauses and resumes kube-apiserver, then stops it until its port refuses and forgets its pid', async () => {
    const port = await freePort();
    const pid = await fakeApiServer(port);
    const pids = await pidFiles({ 'kube-apiserver': pid, etcd: process.pid });
    const control = controlWithoutKwokctl(port, pids.read);
    await control.pause();
    await until(() => state(pid) === 'T');
    await control.resume();
    await until(() => state(pid) !== 'T');
    // Paused, then stopped: SIGTERM alone would wait for a SIGCONT.
    await control.pause();
    await until(() => state(pid) === 'T');
    await control.stop();
    expect(await portRefuses('127.0.0.1', port)).toBe(true);
    await until(() => state(pid) === undefined || state(pid) === 'Z');
    // As `kwokctl stop cluster` does: no pid file for what is not running, so `kwokctl start cluster` starts it again.
    expect(await pids.read()).toEqual({ etcd: process.pid });
    // Stopped already: nothing to do; nothing to pause.
    await control.stop();
    await expect(control.pause()).rejects.toThrow('spoke spoke-01: kube-apiserver (127.0.0.1:' + port + ') is not running: nothing to pause');
  });

  it('never signals a process that is not kube-apiserver (a stale pid file whose pid was reused)', async () => {
    const port = await freePort();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(other);
    const pids = await pidFiles({ 'kube-apiserver': other.pid! });
    const control = controlWithoutKwokctl(port, pids.read);
    await expect(control.pause()).rejects.toThrow(/is not running/);
    await control.stop();
    expect(state(other.pid!)).not.toBe('T');
    expect(other.exitCode).toBeNull();
    expect(existsSync(join(pids.dir, 'kube-apiserver.pid'))).toBe(false);
  });

  describe('start', () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    /** An HTTPS /readyz that answers `status` to a client presenting a certificate, 401 otherwise. */
    async function readyzServer(status: () => number): Promise<KubeconfigTls> {
      const ca = await createRunCertificateAuthority('spoke CA');
      const serving = await ca.issue(['127.0.0.1']);
      const client = await ca.issue(['admin']);
      const port = await freePort();
      server = createServer({ cert: serving.cert, key: serving.key, ca: ca.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.writeHead(req.url === '/readyz' && peer && Object.keys(peer).length ? status() : 401).end('ok');
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      return { server: `https://127.0.0.1:${port}`, ca: Buffer.from(ca.caPem), cert: Buffer.from(client.cert), key: Buffer.from(client.key) };
    }

    it('runs `kwokctl --name <cluster> start cluster`, then waits for /readyz to answer 200', async () => {
      let calls = 0;
      const tls = await readyzServer(() => (++calls < 3 ? 500 : 200));
      const kwokctl = writeRecordingCli(dir, 'kwokctl', [{ args: ['--name', 'fb-1-spoke-01', 'start', 'cluster'] }]);
      // The pid of a kube-apiserver that is gone (a zombie looks alive to kwokctl): forgotten before kwokctl runs.
      const dead = spawn('true');
      await new Promise((resolve) => dead.once('exit', resolve));
      const pids = await pidFiles({ 'kube-apiserver': dead.pid!, etcd: process.pid });
      const control = apiServerControl({ spoke: 'spoke-01', clusterName: 'fb-1-spoke-01', toolchain: { cacheRoot: dir, binaries: { kwokctl: kwokctl.path } }, tls, componentPids: pids.read });
      await control.start();
      expect(kwokctl.calls()).toEqual([['--name', 'fb-1-spoke-01', 'start', 'cluster']]);
      expect(calls).toBe(3);
      expect(await pids.read()).toEqual({ etcd: process.pid });
    });

    it('names the spoke and kwokctl\'s output when kwokctl fails, and the last answer when /readyz never says 200', async () => {
      const tls = await readyzServer(() => 503);
      const failing = writeRecordingCli(dir, 'kwokctl', [{ args: ['--name'], stderr: 'cluster fb-1-spoke-01 does not exist\n', exitCode: 1 }]);
      const base = { spoke: 'spoke-01', clusterName: 'fb-1-spoke-01', tls, componentPids: async () => ({}) };
      const error = await apiServerControl({ ...base, toolchain: { cacheRoot: dir, binaries: { kwokctl: failing.path } } })
        .start()
        .catch((err: Error) => err);
      expect((error as Error).message).toMatch(/^spoke spoke-01: kube-apiserver \(127\.0\.0\.1:\d+\): kwokctl start cluster fb-1-spoke-01 failed \(exit 1\):\ncluster fb-1-spoke-01 does not exist/);
      const ok = writeRecordingCli(dir, 'kwokctl-ok', [{ args: ['--name'] }]);
      await expect(apiServerControl({ ...base, toolchain: { cacheRoot: dir, binaries: { kwokctl: ok.path } }, readyTimeoutMs: 600 }).start()).rejects.toThrow(
        /\/readyz did not answer 200 within 0\.6s after a restart \(last: 503\)$/,
      );
      // No credential in any message.
      expect((error as Error).message).not.toContain('PRIVATE');
    });
  });
});
