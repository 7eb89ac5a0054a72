/**
 * Command-line settings of scenario fields (`fluxbench ab --b toolchain.controllers.kustomize=v1.9.6`):
 * a dotted path and a YAML value, applied to the document before it is validated, so a bad
 * value gets the same error, naming the field and what it allows, as a bad file.
 */
import { parse } from 'yaml';
import { UsageError } from '../util/exit-codes.ts';

export interface ScenarioSetting {
  /** Keys from the document's root; numbers index sequences (`timeline.0.rate`). */
  path: Array<string | number>;
  value: unknown;
  /** As given, for messages: `toolchain.controllers.kustomize=v1.9.6`. */
  text: string;
}

const segment = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\d{1,4})$/;

/**
 * Parses `path=value`. The value is YAML (`3`, `true`, `30s`, `[a, b]`, `{x: 1}`); an empty one is
 * the empty string.
 *
 * @throws UsageError naming `option` when the path is not dotted keys or the value is not YAML.
 */
export function parseSetting(text: string, option: string): ScenarioSetting {
  const at = text.indexOf('=');
  const pathText = at < 0 ? '' : text.slice(0, at).trim();
  const segments = pathText.split('.');
  if (at < 0 || segments.some((s) => !segment.test(s))) {
    throw new UsageError(`${option} "${text}": expected <field>=<value> with the field as dotted keys, e.g. toolchain.controllers.kustomize=v1.9.6 or controllers.kustomize.concurrent=8`);
  }
  let value: unknown;
  try {
    value = parse(text.slice(at + 1), { strict: true });
  } catch (error) {
    throw new UsageError(`${option} "${text}": the value is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return { path: segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), value: value ?? '', text };
}
