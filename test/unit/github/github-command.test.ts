import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNdjson } from '../../../src/util/ndjson.ts';
import { adminPortFromFlag, serveOptionsFromFlags } from '../../../src/cli/github-command.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { gitOk, removeDir, tempDir } from './helpers.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('fluxbench github serve', () => {
  let work: string;

  beforeAll(async () => {
    work = await tempDir();
  });

  afterAll(async () => {
    await removeDir(work);
  });

  it('starts, answers git and REST, writes samples, and stops on SIGTERM', async () => {
    const script = join(work, 'cli.mts');
    await writeFile(
      script,
      `import { Command } from ${JSON.stringify(join(repoRoot, 'node_modules/commander/esm.mjs'))};\nimport { registerGithubCommand } from ${JSON.stringify(join(repoRoot, 'src/cli/github-command.ts'))};\nconst program = new Command('fluxbench');\nregisterGithubCommand(program);\nawait program.parseAsync(process.argv);\n`,
    );
    await writeFile(join(work, 'gh.yaml'), 'github:\n  rateLimits:\n    token: 7\n');
    const samples = join(work, 'samples.ndjson');
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'github', 'serve', '--storage-root', join(work, 'storage'), '--config', join(work, 'gh.yaml'), '--token', 'ci=ghp_cli000000000000000000000000000000000', '--token', 'gen', '--repo', 'acme/app', '--private-repo', 'acme/secret', '--samples', samples], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      const firstLine = await new Promise<string>((res, rej) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', res);
        child.once('exit', () => rej(new Error(`serve exited early: ${stderr}`)));
      });
      const ready = JSON.parse(firstLine) as { url: string; adminUrl: string; adminSecret: string; admin: string; storageRoot: string; tokens: Record<string, string> };
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.admin).toBe(`${ready.adminUrl}/_fluxbench/`);
      expect((await fetch(`${ready.admin}health`)).status).toBe(401);
      expect((await fetch(`${ready.admin}health`, { headers: { authorization: `Bearer ${ready.adminSecret}` } })).status).toBe(200);
      expect((await fetch(`${ready.url}/_fluxbench/health`, { headers: { authorization: `Bearer ${ready.adminSecret}` } })).status).toBe(404);
      expect(ready.tokens.ci).toBe('ghp_cli000000000000000000000000000000000');
      expect(ready.tokens.gen).toMatch(/^ghp_/);
      await gitOk(['ls-remote', `${ready.url}/acme/app.git`], work);
      const repo = await fetch(`${ready.url}/repos/acme/secret`, { headers: { authorization: `token ${ready.tokens.ci}` } });
      expect(repo.status).toBe(200);
      expect(repo.headers.get('x-ratelimit-limit')).toBe('7');
      expect((await fetch(`${ready.url}/repos/acme/secret`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const written = readNdjson<{ kind: string; name: string; labels?: Record<string, string> }>(samples);
    expect(written.filter((s) => s.kind === 'github' && s.name === 'request').length).toBeGreaterThanOrEqual(3);
  });

  it('turns flags into options and refuses bad ones clearly', async () => {
    const base = { token: [], repo: [], privateRepo: [], anonymousRead: true };
    expect(await serveOptionsFromFlags({ ...base, port: '0', timeScale: '60', token: ['a=ghp_aaaaaaaaaaaa'] })).toEqual({ port: 0, timeScale: 60, tokens: [{ name: 'a', token: 'ghp_aaaaaaaaaaaa' }] });
    expect(await serveOptionsFromFlags({ ...base, anonymousRead: false })).toMatchObject({ anonymousRead: false });
    await expect(serveOptionsFromFlags({ ...base, port: 'http' })).rejects.toThrow(UsageError);
    await expect(serveOptionsFromFlags({ ...base, timeScale: '-1' })).rejects.toThrow(/--time-scale/);
    await expect(serveOptionsFromFlags({ ...base, config: join(work, 'missing.yaml') })).rejects.toThrow(/--config/);
    expect(adminPortFromFlag(undefined)).toBe(0);
    expect(adminPortFromFlag('8081')).toBe(8081);
    expect(() => adminPortFromFlag('65536')).toThrow(/--admin-port/);
  });
});
