/**
 * Which controller versions have started on which Kubernetes versions on this machine: recorded
 * by every run whose Flux got ready, read when a run with a pinned controller (or another
 * Kubernetes) fails to start Flux, so the error can name combinations known to work here. The
 * record is a small JSON file in the toolchain cache (`compat.json`); a missing or unreadable one
 * is an empty record.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareVersions } from './go-mod.ts';

/** `<controller>@<version>` → Kubernetes versions it started on, oldest first. */
export type CompatRecord = Record<string, string[]>;

export function compatFile(cacheRoot: string): string {
  return join(cacheRoot, 'compat.json');
}

export function readCompat(file: string): CompatRecord {
  try {
    const parsed = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : {};
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as CompatRecord) : {};
  } catch {
    return {};
  }
}

/** The record with `controllers` (name → version) having started on `kubernetes`. Pure. */
export function withStarted(record: CompatRecord, controllers: Readonly<Record<string, string>>, kubernetes: string): CompatRecord {
  const next: CompatRecord = { ...record };
  for (const [name, version] of Object.entries(controllers)) {
    const key = `${name}@${version}`;
    const seen = new Set(next[key] ?? []);
    seen.add(kubernetes);
    next[key] = [...seen].sort(compareVersions);
  }
  return next;
}

/** Adds a combination to the file (written whole, then renamed, so a killed write leaves the old one). */
export function recordStarted(file: string, controllers: Readonly<Record<string, string>>, kubernetes: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(withStarted(readCompat(file), controllers, kubernetes), null, 2)}\n`);
  renameSync(temp, file);
}

/**
 * What to add to a failed start of `controller` at `version` on `kubernetes`: the versions of it
 * that started on this Kubernetes here, and the Kubernetes versions this version started on.
 * Undefined when the record knows neither. Pure.
 */
export function compatHint(record: CompatRecord, controller: string, version: string, kubernetes: string): string | undefined {
  const onThisKubernetes = Object.entries(record)
    .filter(([key, kubes]) => key.startsWith(`${controller}@`) && key !== `${controller}@${version}` && kubes.includes(kubernetes))
    .map(([key]) => key.slice(controller.length + 1))
    .sort(compareVersions);
  const kubes = (record[`${controller}@${version}`] ?? []).filter((k) => k !== kubernetes);
  const parts = [
    ...(onThisKubernetes.length > 0 ? [`${controller} ${onThisKubernetes.join(', ')} started on Kubernetes ${kubernetes}`] : []),
    ...(kubes.length > 0 ? [`${controller} ${version} started on Kubernetes ${kubes.join(', ')}`] : []),
  ];
  return parts.length > 0 ? `combinations that started on this machine: ${parts.join('; ')}` : undefined;
}
