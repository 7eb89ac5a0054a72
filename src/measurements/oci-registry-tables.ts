/**
 * The registry measurement's report sections: traffic by identity (with its pull quota), by
 * repository (with the time pulls took) and by route, the way the GitHub section shows tokens.
 */
import { formatBytes, formatDuration } from '../util/units.ts';
import {
  hasRegistryTraffic,
  registryRoutes,
  type RegistryAnalysis,
  type RegistryStats,
  type RegistryTraffic,
} from './oci-registry-stats.ts';
import type { ReportSection, ReportTable } from './types.ts';

const dash = '—';
const seconds = (value: number | undefined) => (value === undefined ? dash : formatDuration(value * 1000));
const sinceStart = (ms: number | undefined) => (ms === undefined ? dash : formatDuration(ms));

const trafficHeader = ['Requests', 'Pulls', '429', 'Errors (5xx, resets)', 'Served'];
const trafficCells = (t: RegistryTraffic): string[] => [String(t.requests), String(t.pulls), String(t.throttled), String(t.errors), formatBytes(t.bytesOut)];

const byName = <T>(record: Record<string, T>): [string, T][] => Object.entries(record).sort((a, b) => a[0].localeCompare(b[0]));

/**
 * One row per identity (the authenticated user, or `anonymous:<ip>`): its traffic, its pull
 * limit, the fewest pulls it had left, when its quota ran out and when it was back; a total row
 * when several.
 */
export function registryIdentityTable(stats: RegistryStats | undefined): ReportTable {
  if (!hasRegistryTraffic(stats)) return { header: [], rows: [] };
  const rows = byName(stats.identities).map(([identity, s]) => [
    identity,
    ...trafficCells(s),
    s.limit === undefined ? dash : String(s.limit),
    s.minRemaining === undefined ? dash : String(s.minRemaining),
    s.exhaustedAfterMs === undefined ? 'never' : sinceStart(s.exhaustedAfterMs),
    // Counted from the exhaustion; "not in this run" when the window did not reset before the end.
    s.exhaustedAfterMs === undefined ? dash : s.quotaBackAfterMs === undefined ? 'not in this run' : sinceStart(s.quotaBackAfterMs),
  ]);
  if (rows.length > 1) rows.push(['all', ...trafficCells(stats), dash, stats.minQuotaRemaining === undefined ? dash : String(stats.minQuotaRemaining), dash, dash]);
  return {
    header: ['Identity', ...trafficHeader, 'Pull limit', 'Pulls left, min', 'Quota exhausted after', 'Quota back after'],
    rows,
    numeric: [1, 2, 3, 4, 5, 6, 7],
  };
}

/** One row per repository: its traffic and the gateway's time per pull (p50, p95, max). */
export function registryRepositoryTable(stats: RegistryStats | undefined): ReportTable {
  if (!hasRegistryTraffic(stats)) return { header: [], rows: [] };
  return {
    header: ['Repository', ...trafficHeader, 'Pull p50', 'Pull p95', 'Pull max'],
    rows: byName(stats.repositories).map(([repository, s]) => [
      repository || '(none: API check, token, catalog)',
      ...trafficCells(s),
      seconds(s.pullSeconds?.p50),
      seconds(s.pullSeconds?.p95),
      seconds(s.pullSeconds?.max),
    ]),
    numeric: [1, 2, 3, 4, 5, 6, 7, 8],
  };
}

/** One row per route (token exchanges, manifest and blob requests, uploads, ...), in the API's order. */
export function registryRouteTable(stats: RegistryStats | undefined): ReportTable {
  if (!hasRegistryTraffic(stats)) return { header: [], rows: [] };
  const order = (route: string) => {
    const at = (registryRoutes as readonly string[]).indexOf(route);
    return at < 0 ? registryRoutes.length : at;
  };
  return {
    header: ['Route', ...trafficHeader, 'p50', 'p95', 'Max'],
    rows: Object.entries(stats.routes)
      .sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]))
      .map(([route, s]) => [route, ...trafficCells(s), seconds(s.seconds?.p50), seconds(s.seconds?.p95), seconds(s.seconds?.max)]),
    numeric: [1, 2, 3, 4, 5, 6, 7, 8],
  };
}

/** The measurement's sections, in the order the report shows them. */
export const registryTables: readonly ReportSection<RegistryAnalysis>[] = [
  {
    id: 'registry-identities',
    title: 'OCI registry: requests by identity',
    empty: 'No registry requests.',
    optional: true,
    table: (summary) => registryIdentityTable(summary.registry),
  },
  {
    id: 'registry-repositories',
    title: 'OCI registry: requests by repository',
    empty: 'No registry requests.',
    optional: true,
    table: (summary) => registryRepositoryTable(summary.registry),
  },
  {
    id: 'registry-routes',
    title: 'OCI registry: requests by route',
    empty: 'No registry requests.',
    optional: true,
    table: (summary) => registryRouteTable(summary.registry),
  },
];
