/**
 * The gateway over HTTPS (`tls: true`) in front of the real registry, checked with curl, a
 * client that verifies certificates as Go's does: trusted through the run's CA only, valid for
 * loopback and for names added later (the address pods use through a relay), never plain HTTP.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../../src/registry/index.ts';
import { registryBinary, removeDir, tempDir, toolchainTimeoutMs } from './helpers.ts';

async function curl(args: string[]): Promise<{ exitCode: number; status: string; stderr: string }> {
  const result = await execa('curl', ['-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', ...args], { reject: false });
  return { exitCode: result.exitCode ?? -1, status: result.stdout, stderr: result.stderr };
}

describe('the registry gateway over HTTPS with a per-start CA', () => {
  let work: string;
  let registry: StartedRegistry;

  beforeAll(async () => {
    work = await tempDir();
    registry = await startRegistry({ tls: true, anonymousPull: false }, { binary: await registryBinary(), storageDir: join(work, 'storage') });
  }, toolchainTimeoutMs);

  afterAll(async () => {
    await registry?.stop();
    await removeDir(work);
  });

  it('serves HTTPS that verifies against the CA written beside the storage, and answers /v2/ with the credentials', async () => {
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.tls?.caFile).toBe(join(work, 'storage.ca.crt'));
    expect(await readFile(registry.tls!.caFile, 'utf8')).toBe(registry.tls!.caPem);
    const ok = await curl(['--cacert', registry.tls!.caFile, '-u', `${registry.username}:${registry.password}`, `${registry.url}/v2/`]);
    expect(ok).toMatchObject({ exitCode: 0, status: '200' });
    const challenged = await curl(['--cacert', registry.tls!.caFile, `${registry.url}/v2/`]);
    expect(challenged.status).toBe('401');
    // The registry behind the gateway stays plain HTTP on loopback, as a TLS proxy's backend does.
    expect(registry.upstreamUrl).toMatch(/^http:\/\//);
  });

  it('is not trusted without the CA, and does not speak plain HTTP', async () => {
    const untrusted = await curl([`${registry.url}/v2/`]);
    expect(untrusted.exitCode).toBe(60); // curl: peer certificate cannot be authenticated
    // A TLS server answers plain HTTP with nothing curl can read as a response.
    const plain = await curl([`http://${registry.host}/v2/`]);
    expect(plain.exitCode).not.toBe(0);
    expect(plain.status).toBe('000');
  });

  it('adds the name pods reach it by to the certificate for new connections', async () => {
    const port = new URL(registry.url).port;
    const viaRelayName = ['--cacert', registry.tls!.caFile, '--resolve', `registry.relay.test:${port}:127.0.0.1`, `https://registry.relay.test:${port}/v2/`];
    const before = await curl(viaRelayName);
    expect(before.exitCode).toBe(60);
    expect(before.stderr).toMatch(/registry\.relay\.test/);
    await registry.tls!.addName('registry.relay.test');
    const after = await curl(viaRelayName);
    expect(after).toMatchObject({ exitCode: 0, status: '401' });
    // Loopback still verifies with the new certificate.
    expect((await curl(['--cacert', registry.tls!.caFile, `${registry.url}/v2/`])).status).toBe('401');
  });
});
