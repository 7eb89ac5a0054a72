import { createHash } from 'node:crypto';
import { UsageError } from '../util/exit-codes.ts';

/** A DNS-1123 label: what a kwokctl cluster name (and its kubeconfig context) must be. */
const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const maxLabel = 63;
/** Longest spoke name: leaves room for a recognisable run-id prefix and the hash of a shortened name. */
export const maxSpokeNameLength = 40;

/**
 * The kwokctl cluster name of a spoke: `<runId>-<spoke>`, a DNS-1123 label of at most 63
 * characters. Run ids are labels already (`fb-20261125-123456-a1b2`, or the scenario's name, up
 * to 30 characters, plus a 20-character stamp: at most 51), so with a short spoke name the whole
 * name fits. When it does not, it is shortened deterministically: the run id is cut to what
 * fits and followed by 6 hex digits of the SHA-256 of the full name, then the spoke's name, kept
 * whole so the cluster stays recognisable (`<runId prefix>-<hash6>-<spoke>`). Distinct full
 * names give distinct shortened names unless their hashes collide (1 in 16M per pair).
 */
export function spokeClusterName(runId: string, spoke: string): string {
  const full = `${runId}-${spoke}`;
  if (full.length <= maxLabel) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const room = maxLabel - spoke.length - hash.length - 2;
  const prefix = runId.slice(0, room).replace(/-+$/, '');
  return prefix ? `${prefix}-${hash}-${spoke}` : `${hash}-${spoke}`;
}

/**
 * Checks the run id and the spokes' names before anything starts: each a DNS-1123 label, the
 * spokes' at most `maxSpokeNameLength` characters, no name twice, at least one spoke.
 * Throws UsageError naming the first offender and what is allowed.
 */
export function checkSpokeNames(runId: string, names: readonly string[]): void {
  if (!dnsLabel.test(runId) || runId.length > maxLabel) {
    throw new UsageError(`run id "${runId}" cannot prefix spoke cluster names (allowed: lowercase letters, digits and "-", at most ${maxLabel} characters)`);
  }
  if (names.length === 0) throw new UsageError('a fleet needs at least one spoke name');
  const seen = new Set<string>();
  for (const name of names) {
    if (!dnsLabel.test(name) || name.length > maxSpokeNameLength) {
      throw new UsageError(
        `spoke name "${name}" is not allowed (allowed: lowercase letters, digits and "-" not at the start or end, at most ${maxSpokeNameLength} characters, e.g. "spoke-01")`,
      );
    }
    if (seen.has(name)) throw new UsageError(`spoke name "${name}" is given twice`);
    seen.add(name);
  }
}
