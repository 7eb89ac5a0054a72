import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Append-only NDJSON file. Each record is written with one write(2) as it arrives, with no
 * user-space buffering, so a run that crashes or is SIGKILLed keeps every record written.
 * Opening a file whose last record was torn by such a crash cuts that fragment off (it holds no
 * whole record), so the records appended after it stay readable.
 */
export class NdjsonWriter<T = unknown> {
  private fd: number | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    dropTornTail(this.fd);
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

/** Truncates an open file after its last newline when it does not end with one. */
function dropTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; end -= chunk.length) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (newline >= 0) {
      if (start + newline + 1 < size) ftruncateSync(fd, start + newline + 1);
      return;
    }
  }
  // No newline at all: the file is one torn record.
  if (size > 0) ftruncateSync(fd, 0);
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
