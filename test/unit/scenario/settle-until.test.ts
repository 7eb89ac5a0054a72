import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';

const scenariosDir = join(import.meta.dirname, '../../../scenarios');

describe('settle.until', () => {
  it('defaults to ready and accepts applied', () => {
    expect(parseScenario('name: a\nworkload: {}\n', 'a.yaml').settle).toEqual({ timeout: '3m', until: 'ready' });
    expect(parseScenario('name: a\nworkload: {}\nsettle: { until: applied }\n', 'a.yaml').settle).toEqual({ timeout: '3m', until: 'applied' });
  });

  it('names the field, its position and the allowed values for anything else', () => {
    let message = '';
    try {
      parseScenario('name: a\nworkload: {}\nsettle: { until: healthy }\n', 'a.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      message = (error as Error).message;
    }
    expect(message).toBe('a.yaml:3:18: settle.until: "healthy" is not allowed (allowed: ready, applied)');
  });

  it('is set where a shipped scenario depends on it: applied for the rate-limit family, ready for the ground-truth reproductions', () => {
    const until = (file: string) => parseScenario(readFileSync(join(scenariosDir, file), 'utf8'), file).settle.until;
    for (const file of ['rate-limit.yaml', 'rate-limit-fix-app.yaml', 'rate-limit-fix-interval.yaml', 'rate-limit-fix-webhooks.yaml']) expect(until(file), file).toBe('applied');
    for (const file of ['broken-root.yaml', 'dependency-cycle.yaml', 'smoke.yaml']) expect(until(file), file).toBe('ready');
  });
});
