import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sample, SampleSink } from '../../../src/metrics/sample.ts';

const execFileAsync = promisify(execFile);

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs real git without blocking the event loop (the server under test lives in this process). */
export async function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<GitResult> {
  try {
    const { stdout, stderr } = await execFileAsync('git', args, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LANG: 'C', ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function gitOk(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await git(args, cwd, env);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export async function tempDir(prefix = 'fb-gh-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A local repo with `count` commits of one file, ready to push. */
export async function makeWorkRepo(dir: string, count = 1, file = 'README.md'): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await gitOk(['init', '-q', '-b', 'main', dir], dir);
  const shas: string[] = [];
  for (let i = 0; i < count; i++) {
    await writeFile(join(dir, file), `revision ${i}\n`);
    await gitOk(['add', file], dir);
    await gitOk(['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', `commit ${i}`], dir);
    shas.push((await gitOk(['rev-parse', 'HEAD'], dir)).trim());
  }
  return shas;
}

export function withToken(url: string, token: string, user = 'x-access-token'): string {
  return url.replace('http://', `http://${user}:${token}@`);
}

export class MemorySink implements SampleSink {
  readonly samples: Sample[] = [];
  write(sample: Sample): void {
    this.samples.push(sample);
  }
}

/** Sends raw bytes and returns what came back (for request targets fetch would normalize). */
export function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
  });
}

/** A plain request through node:http without path normalization. */
export function rawPath(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
