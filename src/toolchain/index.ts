export { ensureToolchain, defaultControllers, type Toolchain, type EnsureToolchainOptions } from './setup.ts';
export type { Progress, ProgressEvent } from './build.ts';
export { defaultVersions, fluxControllerNames, type FluxControllerName, type ToolchainVersions } from './versions.ts';
export { cacheRoot } from './cache.ts';
export { formatProgress } from './progress.ts';
export { compatFile, compatHint, readCompat, recordStarted, withStarted, type CompatRecord } from './compat.ts';
export { fullControllerName, shortControllerName } from './pins.ts';
