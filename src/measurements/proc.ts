/**
 * proc: RSS and peak RSS of every controller with a pid, read from /proc. Its samples feed the
 * controllers measurement's memory figures (rss_bytes wins over the controller's own gauge), so
 * it contributes no summary metric of its own.
 */
import { ProcSampler } from '../metrics/proc.ts';
import { defineMeasurement } from './types.ts';

export const procMeasurement = defineMeasurement({
  name: 'proc',
  description: 'every interval, read /proc/<pid>/status and /proc/<pid>/stat of each controller with a pid',
  catalogue: [],
  sampler: {
    // With the scraper on, CPU comes from process_cpu_seconds_total; one source avoids double counting.
    create: (_ctx, _settings: Record<string, never>, build) => new ProcSampler({ cpu: !build.enabled('controllers') }),
  },
});
