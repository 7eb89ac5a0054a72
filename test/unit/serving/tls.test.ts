import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRunCertificateAuthority } from '../../../src/serving/tls.ts';

describe('the per-run certificate authority', () => {
  it('issues server certificates for loopback and the names asked for, signed by a CA that can sign nothing deeper', async () => {
    const authority = await createRunCertificateAuthority('fluxbench test CA');
    const ca = new X509Certificate(authority.caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=fluxbench test CA');
    const issued = await authority.issue(['10.96.0.10', 'registry.relay.test']);
    expect(issued.names).toEqual(['127.0.0.1', 'localhost', '10.96.0.10', 'registry.relay.test']);
    const leaf = new X509Certificate(issued.cert);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('10.96.0.10')).toBe('10.96.0.10');
    expect(leaf.checkHost('registry.relay.test')).toBe('registry.relay.test');
    expect(leaf.checkHost('other.test')).toBeUndefined();
    expect(leaf.checkIP('127.0.0.2')).toBeUndefined();
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
    // Another run's CA does not vouch for it.
    const other = new X509Certificate((await createRunCertificateAuthority('another run')).caPem);
    expect(leaf.verify(other.publicKey)).toBe(false);
  });

  it('refuses a name that is neither an IP address nor a DNS name', async () => {
    const authority = await createRunCertificateAuthority('fluxbench test CA');
    await expect(authority.issue(['bad name/with slash'])).rejects.toThrow(/"bad name\/with slash": not an IP address or a DNS name/);
  });
});
