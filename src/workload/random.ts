/**
 * Seeded randomness. Everything the generator decides (edges, which apps a commit touches,
 * payload bytes) comes from here, so one seed always yields the same trees and commit SHAs.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** A small, fast PRNG (sfc32) seeded from a string; `next()` is uniform in [0, 1). */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    const digest = createHash('sha256').update(String(seed)).digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** `count` distinct indices from [0, n), in random order. */
  sample(n: number, count: number): number[] {
    const pool = Array.from({ length: n }, (_, i) => i);
    const take = Math.min(count, n);
    for (let i = 0; i < take; i++) {
      const j = i + this.int(n - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, take);
  }
}

/**
 * Deterministic pseudo-random bytes for a (seed, label) pair: AES-128-CTR over zeros, which
 * runs at memory speed, so hundreds of MB of incompressible padding cost little next to git.
 */
export function seededBytes(seed: string | number, label: string, length: number): Buffer {
  const key = createHash('sha256').update(`${seed}\0${label}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return cipher.update(Buffer.alloc(length));
}

/** Deterministic printable text (base64 lines of 76 characters) of exactly `length` bytes. */
export function seededText(seed: string | number, label: string, length: number): string {
  if (length <= 0) return '';
  const raw = seededBytes(seed, label, Math.ceil((length * 3) / 4) + 3).toString('base64');
  const lines: string[] = [];
  let remaining = length;
  let offset = 0;
  while (remaining > 0) {
    // Each line costs its characters plus a newline; the last line has no trailing newline.
    const lineLength = Math.min(76, remaining);
    lines.push(raw.slice(offset, offset + lineLength));
    offset += lineLength;
    remaining -= lineLength + 1;
  }
  const text = lines.join('\n');
  return text.length > length ? text.slice(0, length) : text.padEnd(length, 'A');
}
