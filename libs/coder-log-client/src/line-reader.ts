import { StringDecoder } from 'node:string_decoder';

/** A partial line longer than this is emitted as a line of its own (bounded memory). */
export const MAX_PARTIAL_CHARS = 1024 * 1024;

/**
 * Splits a byte stream into lines. UTF-8 split across chunks is reassembled; invalid bytes
 * become U+FFFD. A partial line that only redraws with `\r` is cut down to its last state,
 * and any partial line past 1 MiB is emitted, so memory stays bounded.
 */
export class LineReader {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text === '') return;
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl !== -1 && this.partial !== '') {
      this.onLine(this.partial + text.slice(0, nl));
      this.partial = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl !== -1) {
      this.onLine(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.partial += text.slice(start);
      if (this.partial.length > MAX_PARTIAL_CHARS) {
        const cr = this.partial.lastIndexOf('\r', this.partial.length - 2);
        if (cr !== -1) this.partial = this.partial.slice(cr + 1);
        if (this.partial.length > MAX_PARTIAL_CHARS) {
          this.onLine(this.partial);
          this.partial = '';
        }
      }
    }
  }

  /** Emit what is left (a last line without a newline). */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.onLine(rest);
  }
}
