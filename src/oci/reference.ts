/** `oci://` references as `flux push artifact` and `helm push` take them. */
import { UsageError } from '../util/exit-codes.ts';

export interface OciReference {
  /** `127.0.0.1:PORT` */
  host: string;
  /** The repository path inside the registry: `fluxbench/apps/app-001`. */
  repository: string;
  /** The tag, when the reference names one. */
  tag?: string;
}

// Registry host, repository path components (OCI distribution spec), optional tag.
const referencePattern = /^oci:\/\/([A-Za-z0-9.-]+(?::\d+)?)\/([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/;

/** Splits `oci://host:port/path[:tag]`; throws UsageError naming the expected shape. */
export function parseOciReference(reference: string, what = 'OCI reference'): OciReference {
  const match = referencePattern.exec(reference);
  if (!match) throw new UsageError(`${what} "${reference}": expected oci://<host>[:<port>]/<repository>[:<tag>], the repository in lowercase letters, digits, ".", "_", "-" and "/"`);
  return { host: match[1]!, repository: match[2]!, ...(match[3] ? { tag: match[3] } : {}) };
}

