/**
 * Writing git history as a `git fast-import` stream: blobs by mark (identical content is
 * stored once), commits listing only what changed. One stream per repo replaces thousands
 * of `git commit` runs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { FluxbenchError } from '../util/exit-codes.ts';

export interface Identity {
  name: string;
  email: string;
}

export type FileChange =
  | { path: string; mark: number; mode?: '100644' | '100755' }
  | { path: string; content: string | Buffer; mode?: '100644' | '100755' }
  | { path: string; delete: true };

export interface CommitSpec {
  ref: string;
  author: Identity;
  /** Seconds since the epoch (author and committer time, UTC). */
  time: number;
  message: string;
  /** Parent: a mark, or any commit-ish fast-import resolves (a SHA, `refs/heads/main^0`). */
  from?: number | string;
  changes: readonly FileChange[];
}

/** Where stream bytes go: a child's stdin or a file. */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

const queuedBytes = 8 << 20;

function writableSink(stream: Writable | WriteStream): ByteSink {
  let failure: Error | undefined;
  stream.on('error', (err: Error) => {
    failure = err;
  });
  return {
    async write(chunk) {
      if (failure) throw failure;
      stream.write(chunk);
      // Keep several MB queued so git never waits on us while we render the next batch.
      if (stream.writableLength > queuedBytes) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            stream.off('error', onError);
            resolve();
          };
          const onError = (err: Error) => {
            stream.off('drain', onDrain);
            reject(err);
          };
          stream.once('drain', onDrain);
          stream.once('error', onError);
        });
      }
    },
    end() {
      return new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end(() => (failure ? reject(failure) : resolve()));
      });
    },
  };
}

/** A sink writing the stream to a file (used to replay the exact stream in benchmarks). */
export function fileSink(path: string): ByteSink {
  return writableSink(createWriteStream(path));
}

const flushBytes = 1 << 20;

/** Serialises fast-import commands into a sink, batching small writes. */
export class FastImportWriter {
  private nextMark = 1;
  private readonly blobMarks = new Map<string, number>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of blob data written (deduplicated), for throughput figures. */
  blobBytes = 0;
  /** Total stream bytes. */
  streamBytes = 0;
  commits = 0;

  constructor(private readonly sink: ByteSink) {}

  private push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
    this.streamBytes += buffer.length;
  }

  /** Call between commands; hands the batch to the sink once it is large (and waits on backpressure). */
  async maybeFlush(): Promise<void> {
    if (this.pendingBytes >= flushBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.sink.write(batch);
  }

  /**
   * Adds a blob and returns its mark. With `dedupe` (the default) identical content reuses
   * the first mark; callers that know content is unique (random padding) skip the hash.
   */
  blob(content: string | Buffer, dedupe = true): number {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    let key: string | undefined;
    if (dedupe) {
      key = createHash('sha1').update(data).digest('base64');
      const known = this.blobMarks.get(key);
      if (known !== undefined) return known;
    }
    const mark = this.nextMark++;
    if (key) this.blobMarks.set(key, mark);
    this.push(`blob\nmark :${mark}\ndata ${data.length}\n`);
    this.push(data);
    this.push('\n');
    this.blobBytes += data.length;
    return mark;
  }

  commit(spec: CommitSpec): number {
    const mark = this.nextMark++;
    const who = `${spec.author.name} <${spec.author.email}> ${Math.floor(spec.time)} +0000`;
    const message = Buffer.from(spec.message.endsWith('\n') ? spec.message : `${spec.message}\n`);
    const lines = [`commit ${spec.ref}`, `mark :${mark}`, `author ${who}`, `committer ${who}`, `data ${message.length}`];
    this.push(`${lines.join('\n')}\n`);
    this.push(message);
    if (spec.from !== undefined) this.push(`from ${typeof spec.from === 'number' ? `:${spec.from}` : spec.from}\n`);
    for (const change of spec.changes) {
      assertPath(change.path);
      if ('delete' in change) {
        this.push(`D ${change.path}\n`);
      } else if ('mark' in change) {
        this.push(`M ${change.mode ?? '100644'} :${change.mark} ${change.path}\n`);
      } else {
        const data = typeof change.content === 'string' ? Buffer.from(change.content) : change.content;
        this.push(`M ${change.mode ?? '100644'} inline ${change.path}\ndata ${data.length}\n`);
        this.push(data);
        this.push('\n');
        this.blobBytes += data.length;
      }
    }
    this.push('\n');
    this.commits += 1;
    return mark;
  }

  /** Asks fast-import to print the SHA of a mark (read from its stdout). */
  getMark(mark: number): void {
    this.push(`get-mark :${mark}\n`);
  }

  /** Ends the stream with `done` (fast-import then rejects a truncated stream) and closes the sink. */
  async end(): Promise<void> {
    this.push('done\n');
    await this.flush();
    await this.sink.end();
  }
}

function assertPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.includes('\n') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`fast-import: refusing path ${JSON.stringify(path)}`);
  }
}

export interface FastImportResult {
  /** Lines fast-import printed (SHAs answered to get-mark, in order). */
  output: string[];
  streamBytes: number;
  blobBytes: number;
  commits: number;
}

/**
 * The git command line every import uses. zlib level 1: padding is incompressible and
 * manifests are small, so higher levels only burn CPU (about 2x the import time). Blobs over
 * 1 MiB (large files, big padding) are streamed into the pack without a delta attempt against
 * the previous blob: on incompressible content that attempt never pays and more than doubled
 * the import of 32 MiB files here.
 */
export const fastImportArgs: readonly string[] = ['-c', 'core.compression=1', 'fast-import', '--quiet', '--done', '--big-file-threshold=1m'];

/**
 * Runs `git fast-import` in a bare repo and lets `produce` write the stream; resolves once
 * git has written the pack and updated refs.
 */
export async function runFastImport(gitDir: string, produce: (writer: FastImportWriter) => Promise<void>, extraArgs: readonly string[] = []): Promise<FastImportResult> {
  const child = spawn('git', [...fastImportArgs, ...extraArgs], {
    cwd: gitDir,
    env: { ...process.env, GIT_DIR: gitDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const writer = new FastImportWriter(writableSink(child.stdin));
  let produceError: unknown;
  try {
    await produce(writer);
    await writer.end();
  } catch (err) {
    produceError = err;
    child.stdin.destroy();
    child.kill('SIGTERM');
  }
  const code = await exited;
  // A broken pipe usually means git stopped reading: its stderr says why.
  if (produceError && (code === 0 || stderr.length === 0)) throw produceError;
  if (code !== 0) {
    throw new FluxbenchError(`git fast-import in ${gitDir} failed (exit ${code}): ${Buffer.concat(stderr).toString().trim().slice(0, 2000)}`);
  }
  return {
    output: Buffer.concat(stdout).toString().split('\n').filter((l) => l !== ''),
    streamBytes: writer.streamBytes,
    blobBytes: writer.blobBytes,
    commits: writer.commits,
  };
}
