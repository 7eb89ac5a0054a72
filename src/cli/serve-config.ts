/**
 * What the `serve` commands (`fluxbench github serve`, `fluxbench registry serve`) read the same
 * way: the `--config` file and port flags.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../util/exit-codes.ts';

/**
 * The server options in a `--config` file (YAML or JSON): a scenario file's `<block>:` block
 * (`github`, `registry`), or the block's content bare; an empty file is no options. Returned
 * unvalidated, since the flags are merged in first and the server's options parser checks the
 * result.
 * @param what names the options in the error, e.g. "registry options".
 * @throws UsageError `--config <file>: <reason>` when the file cannot be read or is not valid
 *   YAML (the reason names line and column), and `--config <file>: [<block>: ]expected a
 *   mapping of <what>` when the document, or its block, is not a mapping.
 */
export async function readServeConfig(file: string, block: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) as unknown;
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`);
  }
  const isMapping = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (doc !== null && doc !== undefined && !isMapping(doc)) throw new UsageError(`--config ${file}: expected a mapping of ${what}`);
  const record = (doc ?? {}) as Record<string, unknown>;
  if (!(block in record)) return record;
  const nested = record[block];
  // A scenario's block that is present must be the options themselves, not a scalar or a list.
  if (nested === null || nested === undefined) return {};
  if (!isMapping(nested)) throw new UsageError(`--config ${file}: ${block}: expected a mapping of ${what}`);
  return nested as Record<string, unknown>;
}

/**
 * A port flag's value on 127.0.0.1: 0 (a random free port) when absent.
 * @throws UsageError `<flag> "<value>": expected an integer 0-65535 (0 = random free port)`.
 */
export function portFromFlag(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`${flag} "${value}": expected an integer 0-65535 (0 = random free port)`);
  return port;
}
