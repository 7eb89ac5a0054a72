import { describe, expect, it } from 'vitest';
import { parseScenario, parseSetting, ScenarioError } from '../../../src/scenario/index.ts';

describe('scenario settings from the command line', () => {
  it('parses a dotted field and a YAML value', () => {
    expect(parseSetting('toolchain.controllers.kustomize=v1.9.6', '--b')).toEqual({ path: ['toolchain', 'controllers', 'kustomize'], value: 'v1.9.6', text: 'toolchain.controllers.kustomize=v1.9.6' });
    expect(parseSetting('controllers.kustomize.concurrent=8', '--b').value).toBe(8);
    expect(parseSetting('timeline.0.rate=0.5', '--b').path).toEqual(['timeline', 0, 'rate']);
    expect(parseSetting('workload.flux.interval=', '--a').value).toBe('');
    expect(() => parseSetting('nokey', '--b')).toThrow(/--b "nokey": expected <field>=<value>/);
    expect(() => parseSetting('a..b=1', '--b')).toThrow(/dotted keys/);
    expect(() => parseSetting('a=[1', '--b')).toThrow(/the value is not YAML/);
  });

  it('applies settings before validation, creating missing maps, and names the setting in errors', () => {
    const yaml = 'name: smoke\nworkload: {apps: 3}\n';
    const s = parseScenario(yaml, 'smoke.yaml', { settings: [parseSetting('toolchain.controllers.kustomize=v1.9.6', '--b'), parseSetting('workload.apps=5', '--b')] });
    expect(s.toolchain.controllers.kustomize).toBe('v1.9.6');
    expect(s.workload.apps).toBe(5);
    try {
      parseScenario(yaml, 'smoke.yaml', { settings: [parseSetting('toolchain.controllers.kustomiz=v1.9.6', '--b')] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      // No line: the field is not in the file.
      expect((error as Error).message).toMatch(/^smoke\.yaml: toolchain\.controllers\.kustomiz: unknown field "kustomiz".*\(set on the command line: toolchain\.controllers\.kustomiz=v1\.9\.6\)/);
    }
    expect(() => parseScenario(yaml, 'smoke.yaml', { settings: [parseSetting('name.x=1', '--b')] })).toThrow(/cannot set name\.x=1/);
  });
});
