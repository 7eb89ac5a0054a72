import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Append-only NDJSON file. Each record is written with one write(2) as it arrives, with no
 * user-space buffering, so a run that crashes or is SIGKILLed keeps every record written.
 */
export class NdjsonWriter<T = unknown> {
  private fd: number | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  write(record: T): void {
    if (this.fd === undefined) throw new Error(`NDJSON writer for ${this.path} is closed`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads an NDJSON file; a torn last line (a crash mid-write) is dropped, not fatal. */
export function readNdjson<T = unknown>(path: string): T[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: T[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      if (i >= lines.length - 2) break;
      throw new Error(`${path}:${i + 1}: not valid JSON: ${(err as Error).message}`);
    }
  }
  return out;
}
