import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inlineKubeconfig, kubeconfigTls } from '../../../src/fleet/index.ts';

/** kwokctl's kubeconfig as `create cluster --kubeconfig` writes it: absolute paths to its pki. */
function kwokctlKubeconfig(pki: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ${pki}/ca.crt
    server: https://127.0.0.1:32758
  name: kwok-fb-1-spoke-01
contexts:
- context:
    cluster: kwok-fb-1-spoke-01
    user: kwok-fb-1-spoke-01
  name: kwok-fb-1-spoke-01
current-context: kwok-fb-1-spoke-01
users:
- name: kwok-fb-1-spoke-01
  user:
    client-certificate: ${pki}/admin.crt
    client-key: ${pki}/admin.key
`;
}

type Parsed = {
  clusters: Array<{ cluster: Record<string, unknown> }>;
  users: Array<{ user: Record<string, unknown> }>;
  'current-context': string;
};

describe('inlineKubeconfig', () => {
  let dir: string;
  // Any bytes do: the function copies them, it never parses a certificate. One file is not UTF-8.
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nfake CA\n-----END CERTIFICATE-----\n');
  const cert = Buffer.from([0x30, 0x82, 0xff, 0x00, 0x10, 0x7f]);
  const key = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nfake key\n-----END EC PRIVATE KEY-----\n');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-fleet-kubeconfig-'));
    await writeFile(join(dir, 'ca.crt'), ca);
    await writeFile(join(dir, 'admin.crt'), cert);
    await writeFile(join(dir, 'admin.key'), key);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces every certificate and key file by its *-data field, in base64, and keeps the rest', async () => {
    const inlined = parse(await inlineKubeconfig(kwokctlKubeconfig(dir), (p) => readFile(p))) as Parsed;
    expect(inlined.clusters[0]!.cluster).toEqual({ server: 'https://127.0.0.1:32758', 'certificate-authority-data': ca.toString('base64') });
    expect(inlined.users[0]!.user).toEqual({ 'client-certificate-data': cert.toString('base64'), 'client-key-data': key.toString('base64') });
    expect(inlined['current-context']).toBe('kwok-fb-1-spoke-01');
    const fields = [...Object.keys(inlined.clusters[0]!.cluster), ...Object.keys(inlined.users[0]!.user)];
    expect(fields.filter((f) => /certificate|key|authority/.test(f)).every((f) => f.endsWith('-data'))).toBe(true);
  });

  it('resolves relative paths against the kubeconfig\'s folder and inlines a token file', async () => {
    await writeFile(join(dir, 'token'), 'abc.def\n');
    const text = `clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:1', certificate-authority: ca.crt}
users:
- name: u
  user: {client-certificate: ./admin.crt, client-key: admin.key, tokenFile: token}
`;
    const read: string[] = [];
    const inlined = parse(await inlineKubeconfig(text, (p) => (read.push(p), readFile(p)), { baseDir: dir })) as Parsed;
    expect(read.sort()).toEqual([join(dir, 'admin.crt'), join(dir, 'admin.key'), join(dir, 'ca.crt'), join(dir, 'token')]);
    expect(inlined.users[0]!.user).toEqual({
      'client-certificate-data': cert.toString('base64'),
      'client-key-data': key.toString('base64'),
      token: 'abc.def',
    });
  });

  it('keeps inline data already there and drops the file reference beside it', async () => {
    const text = `clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:1', certificate-authority: /nowhere/ca.crt, certificate-authority-data: QUJD}
users: []
`;
    const inlined = parse(await inlineKubeconfig(text, () => Promise.reject(new Error('not read')))) as Parsed;
    expect(inlined.clusters[0]!.cluster).toEqual({ server: 'https://127.0.0.1:1', 'certificate-authority-data': 'QUJD' });
  });

  it('names the unreadable file without quoting any content', async () => {
    await rm(join(dir, 'admin.key'));
    const error = await inlineKubeconfig(kwokctlKubeconfig(dir), (p) => readFile(p)).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`kubeconfig: cannot read ${join(dir, 'admin.key')}: ENOENT`);
    expect((error as Error).message).not.toContain('fake');
  });

  it('gives the current context\'s server and decoded TLS material', async () => {
    const tls = await kubeconfigTls(await inlineKubeconfig(kwokctlKubeconfig(dir), (p) => readFile(p)));
    expect(tls.server).toBe('https://127.0.0.1:32758');
    expect(tls.ca?.equals(ca)).toBe(true);
    expect(tls.cert?.equals(cert)).toBe(true);
    expect(tls.key?.equals(key)).toBe(true);
  });
});
