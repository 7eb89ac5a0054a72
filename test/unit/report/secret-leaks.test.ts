/**
 * No secret leaves memory through the files a run writes. Runs every piece that writes a run's
 * folder without a cluster: a fake GitHub (tokens, a GitHub App, a signed webhook, the admin
 * listener) streaming its samples to <runDir>/samples.ndjson as the runner does, real git and
 * REST traffic (good and bad credentials), run.json, and every report built from them; then
 * reads every file under the run folder looking for each secret in every form it travels in.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, zeroSha, type StartedFakeGitHub } from '../../../src/github/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { writeReports, type RunMeta } from '../../../src/report/index.ts';
import { NdjsonWriter, readNdjson } from '../../../src/util/ndjson.ts';
import { git, gitOk, makeWorkRepo, removeDir, tempDir, withToken } from '../github/helpers.ts';

const secret = (prefix: string) => `${prefix}${randomBytes(18).toString('hex')}`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('no secret in a run folder', () => {
  const ciToken = secret('ghp_leakci');
  const readerToken = secret('ghp_leakrd');
  const wrongToken = secret('ghp_wrong');
  const webhookSecret = secret('whsec_');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  let work: string;
  let runDir: string;
  let gh: StartedFakeGitHub;
  let receiver: Server;
  let installationToken = '';
  let deliveries = 0;

  const appJwt = () => {
    const now = Math.floor(Date.now() / 1000);
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iat: now - 30, exp: now + 540, iss: 4242 })).toString('base64url');
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`;
  };

  beforeAll(async () => {
    work = await tempDir('fb-leaks-');
    runDir = join(work, 'reports', 'leaks-run');
    receiver = createServer((req, res) => {
      deliveries += 1;
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookPort = (receiver.address() as { port: number }).port;
    const samples = new NdjsonWriter<Sample>(join(runDir, 'samples.ndjson'));
    gh = await startFakeGitHub(
      {
        storageRoot: join(runDir, 'github'),
        quotaSampleInterval: '100ms',
        tokens: [{ name: 'ci', token: ciToken }, { name: 'reader', token: readerToken, permission: 'read' }],
        app: { id: 4242, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 99 }] },
        webhooks: { targets: [{ url: `http://127.0.0.1:${hookPort}/hook/abc`, secret: webhookSecret }] },
      },
      { sink: samples },
    );
    try {
      await gh.createRepo('acme', 'app', { private: true });
      await makeWorkRepo(join(work, 'src'), 2);
      await gitOk(['push', '-q', withToken(`${gh.url}/acme/app.git`, ciToken), 'main'], join(work, 'src'));
      await gitOk(['clone', '-q', withToken(`${gh.url}/acme/app.git`, readerToken), join(work, 'clone')], work);
      // A failed clone with bad credentials and one without any.
      expect((await git(['ls-remote', withToken(`${gh.url}/acme/app.git`, wrongToken)], work)).code).not.toBe(0);
      expect((await git(['ls-remote', `${gh.url}/acme/app.git`], work)).code).not.toBe(0);
      expect((await fetch(`${gh.url}/repos/acme/app`, { headers: { authorization: `token ${ciToken}` } })).status).toBe(200);
      expect((await fetch(`${gh.url}/repos/acme/app`, { headers: { authorization: `Bearer ${wrongToken}` } })).status).toBe(401);
      const issued = await fetch(`${gh.url}/app/installations/99/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt()}` } });
      expect(issued.status).toBe(201);
      installationToken = ((await issued.json()) as { token: string }).token;
      await gitOk(['ls-remote', withToken(`${gh.url}/acme/app.git`, installationToken)], work);
      // The admin API: once with the secret, once with a wrong one.
      const admin = (authorization: string) => fetch(`${gh.adminUrl}/_fluxbench/rate-limits/identity`, { method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'ci', remaining: 1 }) });
      expect((await admin(`Bearer ${gh.adminSecret}`)).status).toBe(200);
      expect((await admin(`Bearer ${wrongToken}`)).status).toBe(401);
      gh.admin.addFault({ type: 'latency', match: { route: 'rest.*' }, fixed: '1ms' });
      await gh.notifyPush('acme', 'app', { ref: 'refs/heads/main', before: zeroSha, after: zeroSha });
      await gh.webhooksIdle();
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await gh.stop();
      samples.close();
    }
    const runMeta: RunMeta = {
      runId: 'leaks-run',
      scenarioName: 'leaks',
      scenarioPath: join(work, 'leaks.yaml'),
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      status: 'passed',
      exitCode: 0,
      provider: 'local',
      versions: { flux: '2.9.5', kubernetes: '1.35.0' },
      thresholds: ['github.status_403.count == 0'],
      timeline: [{ atMs: 0, endMs: 1000, label: 'github.fault latency rest.*' }],
    };
    await writeFile(join(runDir, 'run.json'), `${JSON.stringify(runMeta, null, 2)}\n`);
    writeReports(runDir, readNdjson<Sample>(join(runDir, 'samples.ndjson')), runMeta);
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await removeDir(work);
  });

  it('wrote the traffic it should have (so the scan below has something to scan)', async () => {
    const samples = readNdjson<Sample>(join(runDir, 'samples.ndjson'));
    const identities = new Set(samples.filter((s) => s.kind === 'github' && s.name === 'request').map((s) => s.labels?.identity));
    expect([...identities]).toEqual(expect.arrayContaining(['ci', 'reader', 'installation:99', 'anonymous:127.0.0.1']));
    expect(samples.some((s) => s.name === 'webhook_delivery')).toBe(true);
    expect(samples.some((s) => s.kind === 'fault')).toBe(true);
    expect(deliveries).toBeGreaterThan(0);
    const files = (await filesUnder(runDir)).map((f) => f.slice(runDir.length + 1));
    expect(files).toEqual(expect.arrayContaining(['samples.ndjson', 'run.json', 'summary.json', 'report.md', 'report.html', 'junit.xml']));
  });

  it('finds no token, admin secret, webhook secret or App private key in any file, in any encoding', async () => {
    const secrets: Record<string, string> = {
      'ci token': ciToken,
      'reader token': readerToken,
      'refused token': wrongToken,
      'installation token': installationToken,
      'admin secret': gh.adminSecret,
      'webhook secret': webhookSecret,
      // A line from the middle of the key's base64: any copy of the PEM would contain it.
      'App private key': privatePem.split('\n')[5]!,
    };
    expect(installationToken).toMatch(/^ghs_/);
    const forms: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(secrets)) {
      forms.push([name, value], [`${name} (base64)`, Buffer.from(value).toString('base64')], [`${name} (url-encoded)`, encodeURIComponent(value)]);
      for (const user of ['x-access-token', 'git', 'x']) forms.push([`${name} (basic auth as ${user})`, Buffer.from(`${user}:${value}`).toString('base64')]);
    }
    const found: string[] = [];
    for (const file of await filesUnder(runDir)) {
      const text = (await readFile(file)).toString('latin1');
      for (const [name, value] of forms) if (text.includes(value)) found.push(`${file.slice(runDir.length + 1)}: ${name}`);
    }
    expect(found).toEqual([]);
  });
});
