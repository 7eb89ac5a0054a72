import { formatDuration } from '../util/units.ts';
import type { ProgressEvent } from './build.ts';

/** One human line per toolchain event, for the terminal. */
export function formatProgress(event: ProgressEvent): string {
  switch (event.type) {
    case 'cached':
      return `toolchain: ${event.component} ${event.version} (cached)`;
    case 'waiting':
      return `toolchain: ${event.component}: waiting for build by pid ${event.ownerPid}`;
    case 'download':
      return `toolchain: ${event.component} ${event.version}: fetching module`;
    case 'build':
      return `toolchain: ${event.component}: building ${event.binary} ...`;
    case 'built':
      return `toolchain: ${event.component}: built ${event.binary} in ${formatDuration(event.elapsedMs)}`;
    case 'done':
      return `toolchain: ${event.component} ${event.version} ready in ${formatDuration(event.elapsedMs)}`;
    case 'note':
      return `toolchain: ${event.message}`;
  }
}
