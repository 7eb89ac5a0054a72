import { Transform, type TransformCallback } from 'node:stream';

/**
 * Caps a stream's throughput: chunks are cut into ~100 ms slices and each slice is released
 * no earlier than its byte budget allows since the stream started.
 */
export class ThrottleStream extends Transform {
  private readonly startedAt = Date.now();
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pushSlices(chunk, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    callback(error);
  }

  private pushSlices(chunk: Buffer, callback: TransformCallback): void {
    if (chunk.length === 0) return callback();
    const sliceSize = Math.max(1, Math.floor(this.bytesPerSecond / 10));
    const slice = chunk.subarray(0, sliceSize);
    const rest = chunk.subarray(slice.length);
    const dueAt = this.startedAt + ((this.sent + slice.length) / this.bytesPerSecond) * 1000;
    const wait = dueAt - Date.now();
    const emit = () => {
      this.timer = undefined;
      this.sent += slice.length;
      this.push(slice);
      this.pushSlices(rest, callback);
    };
    if (wait <= 0) emit();
    else this.timer = setTimeout(emit, wait);
  }
}
