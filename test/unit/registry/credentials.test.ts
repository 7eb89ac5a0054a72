import bcrypt from 'bcryptjs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthorization, credentialsMatch, newCredentials, parseBasicAuthorization, writeHtpasswd } from '../../../src/registry/credentials.ts';
import { removeDir, tempDir } from './helpers.ts';

describe('registry credentials', () => {
  let work: string;
  beforeAll(async () => {
    work = await tempDir();
  });
  afterAll(() => removeDir(work));

  it('makes a fresh random password per start, not enumerable', () => {
    const a = newCredentials('fluxbench');
    const b = newCredentials('fluxbench');
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.password).not.toBe(b.password);
    expect(Object.keys(a)).toEqual(['username']);
    expect(JSON.stringify(a)).not.toContain(a.password);
  });

  it('writes an owner-only htpasswd of bcrypt hashes that verify the passwords', async () => {
    const users = [newCredentials('fluxbench'), newCredentials('fluxbench-gateway')];
    const path = join(work, 'htpasswd');
    await writeHtpasswd(path, users);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      const [user, hash] = line.split(':') as [string, string];
      expect(user).toBe(users[i]!.username);
      expect(hash).toMatch(/^\$2[aby]\$04\$/);
      expect(bcrypt.compareSync(users[i]!.password, hash)).toBe(true);
      expect(line).not.toContain(users[i]!.password);
    }
  });

  it('reads Basic credentials and matches them against the expected ones', () => {
    const expected = newCredentials('fluxbench');
    const parsed = parseBasicAuthorization(basicAuthorization(expected));
    expect(parsed).toEqual({ scheme: 'basic', username: 'fluxbench', password: expected.password });
    expect(parsed.scheme === 'basic' && credentialsMatch(parsed, expected)).toBe(true);
    expect(credentialsMatch({ username: 'fluxbench', password: `${expected.password}x` }, expected)).toBe(false);
    expect(credentialsMatch({ username: 'other', password: expected.password }, expected)).toBe(false);
    expect(parseBasicAuthorization(undefined)).toEqual({ scheme: 'none' });
    expect(parseBasicAuthorization('Bearer abc')).toEqual({ scheme: 'malformed' });
    expect(parseBasicAuthorization(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toEqual({ scheme: 'malformed' });
    expect(parseBasicAuthorization(`basic ${Buffer.from('u:p:q').toString('base64')}`)).toEqual({ scheme: 'basic', username: 'u', password: 'p:q' });
  });
});
