/**
 * A minimal ustar writer: regular files only, fixed owner and mtime, so the same files
 * always give the same bytes (and the same chart digest in index.yaml).
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  path: string;
  content: string | Buffer;
  mode?: number;
}

const block = 512;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'ascii');
  header[offset + length - 1] = 0;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  const cut = path.lastIndexOf('/', 155);
  const name = path.slice(cut + 1);
  const prefix = path.slice(0, cut);
  if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new Error(`tar: path too long for ustar: ${path}`);
  }
  return { name, prefix };
}

function header(path: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(block);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** An uncompressed tar archive of the entries, in the order given. */
export function tarArchive(entries: readonly TarEntry[], mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    parts.push(header(entry.path, content.length, entry.mode ?? 0o644, mtimeSeconds), content);
    const padding = (block - (content.length % block)) % block;
    if (padding) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}

/** A gzip'd tar (.tgz); gzip's own mtime is left at 0 so output is reproducible. */
export function tgzArchive(entries: readonly TarEntry[], mtimeSeconds = 0): Buffer {
  return gzipSync(tarArchive(entries, mtimeSeconds), { level: 6 });
}
