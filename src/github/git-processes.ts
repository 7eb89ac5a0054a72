/**
 * The fake GitHub's git children: each runs in its own process group (so a kill reaches
 * upload-pack's pack-objects too) under a small `sh` wrapper that reports the CPU time git and its
 * children used (`times`), and upload-pack runs pack-objects through a hook that keeps
 * pack-objects' summary line ("Total N (delta D), reused R (delta RD), pack-reused P").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { storageConfig } from '../util/git-storage.ts';

/** Server-side settings GitHub has on: partial clone filters and fetching any reachable sha. */
const serverConfig = ['-c', 'uploadpack.allowFilter=true', '-c', 'uploadpack.allowAnySHA1InWant=true'];

/**
 * Pushes are kept as packs whatever their object count, also into repositories that appeared on
 * disk without the host's settings; background maintenance rolls the small packs up.
 */
const keepPacksConfig = ['-c', `transfer.unpackLimit=${storageConfig['transfer.unpackLimit']}`];

/**
 * Runs the command in "$@" with fd 3 closed to it, then writes the shell's `times` (own and
 * children's user/system CPU) to fd 3 and exits with the command's status. Waited-for
 * grandchildren (upload-pack's pack-objects) are counted in the children's line.
 */
const measuredWrapper = '"$@" 3>&-; code=$?; times >&3; exit $code';

/**
 * uploadpack.packObjectsHook: runs `git pack-objects <args>` with --progress so that it prints its
 * summary line, which goes to fd 4 (the fake GitHub reads it); the progress itself reaches the
 * client only when upload-pack asked for progress (or pack-objects failed), after the pack.
 * Only shell builtins: no process beyond the one sh per fetch. The script is passed inline
 * (`sh -c`, git appends pack-objects' argv) rather than as a file, so nothing is left on disk
 * for a SIGKILLed fake GitHub to orphan; it therefore holds no single quote.
 */
const packObjectsScript = [
  'asked=; for arg do [ "$arg" = --progress ] && asked=1; done',
  'exec 5>&1; err=$("$@" --progress 2>&1 1>&5 5>&-); code=$?; exec 5>&-',
  'case $err in *"Total "*) printf "Total %s\\n" "${err##*Total }" >&4 2>/dev/null;; esac',
  'if [ -n "$asked" ] || [ "$code" -ne 0 ]; then printf "%s\\n" "$err" >&2; fi',
  'exit $code',
].join('; ');

/** The hook as `git -c` takes it: git runs it through sh with pack-objects' argv appended. */
export const packObjectsHookConfig = `uploadpack.packObjectsHook=sh -c '${packObjectsScript}' pack-objects-hook`;

/** Only a well-formed Git-Protocol header value reaches the environment. */
export function sanitizeGitProtocol(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[A-Za-z0-9=:,._-]{1,200}$/.test(value) ? value : undefined;
}

export function gitEnv(gitProtocol?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
  if (gitProtocol) env.GIT_PROTOCOL = gitProtocol;
  return env;
}

/** pack-objects' summary of one pack it wrote. */
export interface PackStats {
  /** Objects in the pack. */
  objects: number;
  deltas: number;
  /** Objects copied from existing packs without recompressing them. */
  reused: number;
  reusedDeltas: number;
  /** Objects sent as verbatim chunks of a bitmapped pack (whole-pack reuse). */
  packReused: number;
}

/** What one git child cost the host. */
export interface GitUsage {
  /** From spawn to exit, seconds. */
  wallSeconds: number;
  /** User + system CPU of git and the children it waited for; undefined when it was killed. */
  cpuSeconds?: number;
  /** null when killed by a signal or when git could not start. */
  exitCode: number | null;
  /** upload-pack RPCs that sent a pack. */
  pack?: PackStats;
}

/** A git child whose cost is known once it has exited. */
export interface MeasuredGit {
  child: ChildProcess;
  /** Resolves once the child has exited (never rejects). */
  usage: Promise<GitUsage>;
}

/** `0m1.800000s 0m1.130000s` (the children's line of `times`) → 2.93. */
export function parseTimes(output: string): number | undefined {
  const lines = output.trim().split('\n');
  const children = lines[1] ?? '';
  const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length < 2) return undefined;
  return parts.slice(0, 2).reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
}

/** `Total 417 (delta 39), reused 60 (delta 0), pack-reused 257` → its numbers. */
export function parsePackStats(output: string): PackStats | undefined {
  const m = /Total (\d+) \(delta (\d+)\), reused (\d+) \(delta (\d+)\)(?:, pack-reused (\d+))?/.exec(output);
  if (!m) return undefined;
  return { objects: Number(m[1]), deltas: Number(m[2]), reused: Number(m[3]), reusedDeltas: Number(m[4]), packReused: Number(m[5] ?? 0) };
}

function collect(stream: Readable | null | undefined): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream?.on('error', () => undefined);
  return () => Buffer.concat(chunks).toString();
}

/**
 * Spawns git children and remembers them, so stop() can kill whatever is still running (with
 * its whole process group: upload-pack's pack-objects, repack's pack-objects).
 */
export class GitProcesses {
  private readonly children = new Set<ChildProcess>();

  /** `git upload-pack|receive-pack --stateless-rpc --advertise-refs <dir>` (not measured: it is cheap). */
  advertise(service: 'git-upload-pack' | 'git-receive-pack', repoDir: string, options: { gitProtocol?: string } = {}): ChildProcess {
    const args = [...serverConfig, service.slice(4), '--stateless-rpc', '--advertise-refs', repoDir];
    return this.track(spawn('git', args, { env: gitEnv(options.gitProtocol), stdio: ['pipe', 'pipe', 'pipe'], detached: true }));
  }

  /**
   * `git upload-pack|receive-pack --stateless-rpc <dir>`, measured: stdin is the request body,
   * stdout the response; `usage` resolves with its wall and CPU time and, for an upload-pack that
   * sent a pack, pack-objects' summary.
   */
  rpc(service: 'git-upload-pack' | 'git-receive-pack', repoDir: string, options: { gitProtocol?: string } = {}): MeasuredGit {
    const isFetch = service === 'git-upload-pack';
    const hook = isFetch ? ['-c', packObjectsHookConfig] : keepPacksConfig;
    const args = [...serverConfig, ...hook, service.slice(4), '--stateless-rpc', repoDir];
    return this.spawnMeasured(args, { env: gitEnv(options.gitProtocol), packStats: isFetch });
  }

  /** Any git command, measured; stdout and stderr are drained (kept for errors, see `output`). */
  run(args: readonly string[]): MeasuredGit & { output: () => string } {
    const measured = this.spawnMeasured(args, { env: gitEnv(), packStats: false });
    const stdout = collect(measured.child.stdout);
    const stderr = collect(measured.child.stderr);
    return { ...measured, output: () => `${stdout()}${stderr()}` };
  }

  get running(): number {
    return this.children.size;
  }

  /** SIGKILLs a child's process group (git and what it started). */
  kill(child: ChildProcess): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  killAll(): void {
    for (const child of this.children) this.kill(child);
    this.children.clear();
  }

  /** Kills what runs (kept async for callers that await a stop). */
  async stop(): Promise<void> {
    this.killAll();
  }

  private spawnMeasured(args: readonly string[], options: { env: NodeJS.ProcessEnv; packStats: boolean }): MeasuredGit {
    const started = performance.now();
    const stdio = ['pipe', 'pipe', 'pipe', 'pipe', ...(options.packStats ? ['pipe' as const] : [])] as const;
    const child = this.track(spawn('sh', ['-c', measuredWrapper, 'sh', 'git', ...args], { env: options.env, stdio: [...stdio], detached: true }));
    const times = collect(child.stdio[3] as Readable);
    const pack = options.packStats ? collect(child.stdio[4] as Readable) : () => '';
    const usage = new Promise<GitUsage>((resolve) => {
      const done = (exitCode: number | null) => {
        const wallSeconds = (performance.now() - started) / 1000;
        const cpuSeconds = parseTimes(times());
        const packStats = parsePackStats(pack());
        resolve({ wallSeconds, exitCode, ...(cpuSeconds !== undefined ? { cpuSeconds } : {}), ...(packStats ? { pack: packStats } : {}) });
      };
      child.once('close', (code) => done(code));
      child.once('error', () => done(null));
    });
    return { child, usage };
  }

  private track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('close', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }
}
