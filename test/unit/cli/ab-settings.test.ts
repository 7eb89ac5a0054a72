import { describe, expect, it } from 'vitest';
import { maskedText } from '../../../src/cli/ab-command.ts';
import { parseScenario, parseSetting } from '../../../src/scenario/index.ts';

describe('ab settings as the report shows them', () => {
  const token = 'ghp_abSecret0000000000000000000000000000';
  const shown = (text: string) => {
    const setting = parseSetting(text, '--b');
    return maskedText(setting, parseScenario('name: n\nworkload: {apps: 2}\ngithub: {tokens: [{name: flux}]}\n', 'n.yaml', { settings: [setting] }));
  };

  it('keeps ordinary settings as typed, and hides the values of secret fields and every secret the scenario spells out', () => {
    expect(shown('toolchain.controllers.kustomize=v1.9.6')).toBe('toolchain.controllers.kustomize=v1.9.6');
    expect(shown(`github.tokens.0.token=${token}`)).toBe('github.tokens.0.token=***');
    expect(shown(`github.tokens=[{name: flux, token: ${token}}]`)).toBe('github.tokens=***');
    // A token set inside a whole block is not a field named like a secret: it is redacted as a known secret.
    expect(shown(`github={tokens: [{name: flux, token: ${token}}]}`)).toBe('github={tokens: [{name: flux, token: ***}]}');
  });
});
