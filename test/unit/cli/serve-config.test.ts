import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portFromFlag, readServeConfig } from '../../../src/cli/serve-config.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

const work = mkdtempSync(join(tmpdir(), 'fb-serve-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('the serve commands: --config and port flags', () => {
  it("reads a scenario file's block, or the block's content bare, or nothing from an empty file", async () => {
    const scenario = file('scenario.yaml', 'name: s\ngithub:\n  timeScale: 60\nregistry:\n  anonymousPull: false\n');
    expect(await readServeConfig(scenario, 'registry', 'registry options')).toEqual({ anonymousPull: false });
    expect(await readServeConfig(scenario, 'github', 'fake GitHub options')).toEqual({ timeScale: 60 });
    expect(await readServeConfig(file('bare.json', '{"timeScale": 2}'), 'github', 'fake GitHub options')).toEqual({ timeScale: 2 });
    expect(await readServeConfig(file('empty.yaml', ''), 'registry', 'registry options')).toEqual({});
  });

  it('names the file, and what it expected, when it cannot be read or is not a mapping', async () => {
    const list = file('list.yaml', '- a\n- b\n');
    await expect(readServeConfig(list, 'registry', 'registry options')).rejects.toThrow(new UsageError(`--config ${list}: expected a mapping of registry options`));
    await expect(readServeConfig(file('scalar.yaml', '42\n'), 'github', 'fake GitHub options')).rejects.toThrow(/expected a mapping of fake GitHub options/);
    const missing = join(work, 'missing.yaml');
    await expect(readServeConfig(missing, 'github', 'fake GitHub options')).rejects.toThrow(UsageError);
    await expect(readServeConfig(missing, 'github', 'fake GitHub options')).rejects.toThrow(`--config ${missing}: ENOENT`);
    const broken = file('broken.yaml', 'registry:\n  tls: [true\n');
    await expect(readServeConfig(broken, 'registry', 'registry options')).rejects.toThrow(UsageError);
    await expect(readServeConfig(broken, 'registry', 'registry options')).rejects.toThrow(new RegExp(`^--config ${broken}: .*line \\d+`));
    const block = file('block.yaml', 'name: s\nregistry: true\n');
    await expect(readServeConfig(block, 'registry', 'registry options')).rejects.toThrow(new UsageError(`--config ${block}: registry: expected a mapping of registry options`));
    expect(await readServeConfig(file('null-block.yaml', 'name: s\nregistry:\n'), 'registry', 'registry options')).toEqual({});
  });

  it('takes a port 0-65535, 0 when absent, and names the flag otherwise', () => {
    expect(portFromFlag('--port', undefined)).toBe(0);
    expect(portFromFlag('--port', '5000')).toBe(5000);
    expect(() => portFromFlag('--admin-port', '65536')).toThrow(new UsageError('--admin-port "65536": expected an integer 0-65535 (0 = random free port)'));
    expect(() => portFromFlag('--port', '1.5')).toThrow(/--port "1.5"/);
  });
});
