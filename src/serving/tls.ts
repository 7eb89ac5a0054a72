/**
 * A per-run certificate authority for the servers fluxbench starts, so a client can be handed
 * one CA (`ca.crt` of a Secret, `--cacert`) and verify the server as it would a production
 * registry, instead of skipping verification (`insecure: true`).
 *
 * Certificates come from the `selfsigned` library (X.509 building on WebCrypto): Node can make
 * keys but not certificates. Keys are ECDSA P-256, signatures SHA-256: what Go's crypto/tls (the
 * Flux controllers, git's curl, the flux CLI) verify without extra configuration.
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** One server certificate and its key, PEM. */
export interface ServerCertificate {
  cert: string;
  key: string;
  /** The names it is valid for: IP addresses and DNS names. */
  names: string[];
}

/** A CA that lives as long as the run: its key is only ever in memory. */
export interface RunCertificateAuthority {
  /** The CA certificate (PEM), what clients trust. Public: fine on disk and in Secrets. */
  caPem: string;
  /**
   * Issues a server certificate for `names` (IP addresses and DNS names; 127.0.0.1 and
   * localhost are always included), valid as long as the CA.
   * @throws Error when a name is neither an IP address nor a DNS name.
   */
  issue(names: readonly string[]): Promise<ServerCertificate>;
}

const alwaysNames = ['127.0.0.1', 'localhost'];
const dnsName = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Long enough for any bounded run plus clock skew; the CA dies with the run anyway. */
const validityMs = 7 * 24 * 3600 * 1000;
const skewMs = 5 * 60 * 1000;

/**
 * Makes a CA for one run (`commonName` names it in the certificate, e.g. "fluxbench registry
 * CA"). Nothing is written to disk; callers write `caPem` where clients need it.
 */
export async function createRunCertificateAuthority(commonName: string): Promise<RunCertificateAuthority> {
  const notBeforeDate = new Date(Date.now() - skewMs);
  const notAfterDate = new Date(notBeforeDate.getTime() + validityMs);
  const ca = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const caKey = ca.private;
  const authority: RunCertificateAuthority = {
    caPem: ca.cert,
    async issue(requested) {
      const names = [...new Set([...alwaysNames, ...requested])];
      for (const name of names) {
        if (!isIP(name) && !dnsName.test(name)) throw new Error(`cannot issue a certificate for "${name}": not an IP address or a DNS name`);
      }
      const leaf = await generate([{ name: 'commonName', value: names[0]! }], {
        keyType: 'ec',
        algorithm: 'sha256',
        notBeforeDate,
        notAfterDate,
        ca: { key: caKey, cert: ca.cert },
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
        ],
      });
      return { cert: leaf.cert, key: leaf.private, names };
    },
  };
  return authority;
}
