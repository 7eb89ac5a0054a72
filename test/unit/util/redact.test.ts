import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/util/redact.ts';
import { scenarioSecrets } from '../../../src/run/context.ts';
import { parseScenario } from '../../../src/scenario/index.ts';

describe('redactSecrets', () => {
  it('masks URL credentials, in any scheme and inside quotes', () => {
    expect(redactSecrets('git clone http://x-access-token:ghp_abc123456@127.0.0.1:8080/acme/app.git failed')).toBe('git clone http://***@127.0.0.1:8080/acme/app.git failed');
    expect(redactSecrets('"url": "https://ghp_tokenonly1@github.com/x"')).toBe('"url": "https://***@github.com/x"');
    expect(redactSecrets('see http://127.0.0.1:8080/acme/app.git and mail me@example.com')).toBe('see http://127.0.0.1:8080/acme/app.git and mail me@example.com');
  });

  it('masks Authorization header values', () => {
    expect(redactSecrets('headers: {Authorization: Bearer fbadmin_xyz, accept: */*}')).toBe('headers: {Authorization: Bearer ***, accept: */*}');
    expect(redactSecrets('authorization: Basic eDpnaHBfYWJj')).toBe('authorization: Basic ***');
  });

  it('masks every known secret of 8 characters or more, longest first', () => {
    expect(redactSecrets('token ghp_secret0001 and ghp_secret0001x', ['ghp_secret0001', 'ghp_secret0001x'])).toBe('token *** and ***');
    expect(redactSecrets('a short pass', ['pass', undefined])).toBe('a short pass');
  });
});

describe('scenarioSecrets', () => {
  it('lists the tokens and webhook secrets a scenario spells out', () => {
    const scenario = parseScenario(
      [
        'name: s',
        'github:',
        '  tokens: [{ name: ci, token: ghp_fromscenario01 }, { name: gen }]',
        '  webhooks: { targets: [{ url: "http://127.0.0.1:9000/hook", secret: hook-secret-01 }] }',
        'workload: { apps: 1 }',
        'duration: 10s',
      ].join('\n'),
      's.yaml',
    );
    expect(scenarioSecrets(scenario)).toEqual(['ghp_fromscenario01', 'hook-secret-01']);
  });
});
