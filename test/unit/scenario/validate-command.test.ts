import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerValidateCommand } from '../../../src/cli/validate-command.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxbench-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function runValidate(...args: string[]): Promise<{ out: string; error?: unknown }> {
  let out = '';
  const program = new Command().exitOverride();
  registerValidateCommand(program, { write: (text) => void (out += text) });
  try {
    await program.parseAsync(['validate', ...args], { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error };
  }
}

describe('fluxbench validate', () => {
  const good = file('good.yaml', 'name: good\nworkload: { apps: 2 }\ntimeline:\n  - { at: 10s, action: churn.start, rate: 1 }\nthresholds: ["stalled.count == 0"]\n');
  const bad = file('bad.yaml', 'name: bad\nworkload: {}\nprovider: { type: docker }\n');

  it('prints OK with a one-line summary for a valid file', async () => {
    const { out, error } = await runValidate(good);
    expect(error).toBeUndefined();
    expect(out).toBe(`OK ${good} (good: provider local, duration 5m, 1 timeline action, 1 threshold)\n`);
  });

  it('throws a UsageError listing every problem of every invalid file after checking all of them', async () => {
    const { out, error } = await runValidate(bad, good);
    expect(out).toBe(`OK ${good} (good: provider local, duration 5m, 1 timeline action, 1 threshold)\n`);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `${bad}:3:19: provider.type: "docker" is not allowed (allowed: local, kind, k3s, existing)\n1 of 2 scenario files is invalid`,
    );
  });

  it('prints the scenario with defaults filled in with --resolved', async () => {
    const { out } = await runValidate('--resolved', good);
    const resolved = parse(out.split('\n').slice(1).join('\n')) as { sampling: { interval: string }; timeline: unknown[] };
    expect(resolved.sampling.interval).toBe('5s');
    expect(resolved.timeline).toEqual([{ at: '10s', action: 'churn.start', rate: 1 }]);
  });
});
