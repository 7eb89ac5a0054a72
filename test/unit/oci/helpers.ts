/**
 * A bare Distribution registry for the push client's tests: the toolchain's real `registry
 * serve` on 127.0.0.1 with htpasswd auth and filesystem storage, nothing of fluxbench's gateway
 * in between, so what the CLIs pushed is read back from the registry itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { ensureToolchain } from '../../../src/toolchain/index.ts';
import { freePort } from '../../../src/util/ports.ts';

export const toolchainTimeoutMs = 20 * 60_000;

let binaries: Promise<{ registry: string; flux: string; helm: string }> | undefined;

/** The toolchain's registry, flux and helm binaries (built once and cached; waits for a build in progress). */
export function pushBinaries(): Promise<{ registry: string; flux: string; helm: string }> {
  binaries ??= ensureToolchain({ controllerBinaries: false }).then(({ binaries: b }) => {
    if (!b.registry || !b.flux || !b.helm) throw new Error(`the toolchain lacks registry, flux or helm (has ${Object.keys(b).join(', ')})`);
    return { registry: b.registry, flux: b.flux, helm: b.helm };
  });
  return binaries;
}

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  url: string;
  username: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
}

/** `registry serve` with one htpasswd user; resolves once /v2/ answers (401 without credentials). */
export async function startTestRegistry(binary: string, username: string, password: string): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'fb-oci-registry-'));
  const port = await freePort();
  await writeFile(join(dir, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 4)}\n`, { mode: 0o600 });
  const config = [
    'version: 0.1',
    'log: { level: error }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
    `http: { addr: 127.0.0.1:${port} }`,
    `auth: { htpasswd: { realm: fluxbench-test, path: ${join(dir, 'htpasswd')} } }`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 401) return { host: `127.0.0.1:${port}`, url, username, password, dir, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`registry on ${url} did not answer`);
}

/** GET with basic auth; the body parsed as JSON. */
export async function getJson(registry: TestRegistry, path: string, accept?: string): Promise<{ status: number; body: Record<string, unknown>; digest: string | null }> {
  const response = await fetch(`${registry.url}${path}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
      ...(accept ? { accept } : {}),
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, digest: response.headers.get('docker-content-digest') };
}
