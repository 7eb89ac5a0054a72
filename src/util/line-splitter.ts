/**
 * Splits a byte stream into newline-delimited lines: `push` each chunk as it arrives and `onLine`
 * gets every whole line as bytes (without its newline; empty lines skipped), so a caller that
 * keeps few lines decodes only those. A line split across chunks is kept as the chunks themselves
 * and joined once its newline arrives: one copy, not one per chunk. `flush` hands over a last
 * line that has no newline (a body's end).
 */
export class LineSplitter {
  private pending: Buffer[] = [];

  constructor(private readonly onLine: (line: Buffer) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const head = chunk.subarray(start, newline);
      start = newline + 1;
      let line = head;
      if (this.pending.length > 0) {
        line = Buffer.concat([...this.pending, head]);
        this.pending = [];
      }
      if (line.length > 0) this.onLine(line);
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  flush(): void {
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    if (rest.length > 0) this.onLine(rest);
  }
}
