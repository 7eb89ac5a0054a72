import { formatDuration } from '../util/units.ts';
import { isFluxKind } from './kinds.ts';
import type { ChainHop, Cycle, Diagnosis, Finding, RootCause, StaleRevisionGroup } from './schema.ts';
import { parseObjectId } from './state.ts';

/** Kustomizations as `ns/name` (how Flux's own messages name them), everything else as `Kind/ns/name`. */
export function displayId(id: string): string {
  const key = parseObjectId(id);
  return key.kind === 'Kustomization' && key.namespace ? `${key.namespace}/${key.name}` : id;
}

export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderCycle(ids: readonly string[]): string {
  return [...ids, ids[0]!].map(displayId).join(' → ');
}

function hopLabel(hop: ChainHop): string {
  const label = displayId(hop.id);
  // dependsOn is the norm, and a health check on a plain object is evident from its kind.
  if (!hop.via || hop.via === 'dependsOn' || (hop.via === 'healthCheck' && !isFluxKind(parseObjectId(hop.id).kind))) return label;
  return hop.through ? `${label} [${hop.via} ${hop.through}]` : `${label} [${hop.via}]`;
}

function rootText(root: RootCause): string {
  switch (root.type) {
    case 'cycle':
      return `cycle: ${renderCycle(root.cycle)}`;
    case 'missing':
      return 'not found';
    case 'suspended':
      return 'Suspended: spec.suspend is true';
    case 'object':
      return root.message ? `${root.reason}: ${oneLine(root.message)}` : root.reason;
  }
}

/** `apps/web → infra/db (DependencyNotReady) → PersistentVolumeClaim/storage/pvc-x: Pending: storageclass "fast" not found` */
export function renderChain(finding: Pick<Finding, 'chain' | 'rootCause'>): string {
  const hops = finding.chain;
  const parts = hops.map((hop, i) => {
    if (i === hops.length - 1) return `${hopLabel(hop)}: ${rootText(finding.rootCause)}`;
    return i > 0 && hop.reason ? `${hopLabel(hop)} (${hop.reason})` : hopLabel(hop);
  });
  return parts.join(' → ');
}

export function summaryLine(diagnosis: Diagnosis): string {
  const { counts } = diagnosis;
  const scope = diagnosis.namespaces ? `namespaces ${diagnosis.namespaces.join(', ')}` : 'all namespaces';
  const where = diagnosis.context ? `context ${diagnosis.context}, ${scope}` : scope;
  return (
    `${where}: ${counts.objects} Flux objects, ${counts.notReady} not Ready, ${counts.stuck} stuck, ` +
    `${counts.cycles} ${counts.cycles === 1 ? 'cycle' : 'cycles'}${diagnosis.cyclesTruncated ? ' (search truncated)' : ''}, ` +
    `${counts.missing} missing ${counts.missing === 1 ? 'dependency' : 'dependencies'}` +
    (counts.staleRevision > 0 ? `, ${counts.staleRevision} behind their source's revision` : '')
  );
}

/** How each edge of a cycle waits: `needs ConfigMap/ns/x`, `dependsOn`, `healthCheck`. */
export function renderCycleEdges(cycle: Cycle): string {
  return cycle.edges.map((e) => e.via.map((via) => (via === 'needs' && e.through ? `needs ${e.through.join(', ')}` : via)).join('+')).join(', ');
}

/** The objects of a stale-revision group, at most `max` named: `apps/a, apps/b (suspended), … and 12 more`. */
export function staleObjectList(group: StaleRevisionGroup, max = 20): string {
  const names = group.objects.slice(0, max).map((o) => `${displayId(o.id)}${o.suspended ? ' (suspended)' : ''}`);
  const rest = group.objects.length - names.length;
  return rest > 0 ? `${names.join(', ')} and ${rest} more` : names.join(', ');
}

/** `GitRepository/flux-system/fleet serves main@sha1:… (for 3m20s): 18 objects behind` */
export function staleGroupHeading(group: StaleRevisionGroup): string {
  const age = group.artifactAgeSeconds !== undefined ? ` (for ${formatDuration(group.artifactAgeSeconds * 1000)})` : '';
  const n = group.objects.length;
  return `${displayId(group.source)} serves ${group.revision}${age}: ${n} ${n === 1 ? 'object' : 'objects'} Ready at an older revision`;
}
