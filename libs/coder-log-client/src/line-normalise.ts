// Pure line transformations applied before a line is shipped to Coder.

/** coderd stores at most this many characters (code points) of each output. */
export const MAX_LINE_CHARS = 1024;

// Characters that need work: NUL, CR, LF, and any surrogate half (paired or lone).
const NEEDS_WORK = /[\u0000\r\n\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const REPLACEMENT = '\uFFFD';

/**
 * Replace what coderd cannot store as sent: NUL becomes U+FFFD, and so do lone surrogates
 * (the JavaScript form of invalid UTF-8; bytes decoded with a non-fatal decoder already carry U+FFFD).
 */
export function sanitiseLine(line: string): string {
  if (!NEEDS_WORK.test(line)) return line;
  return line.replaceAll('\u0000', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
}

/**
 * Collapse carriage-return redraws to the final state: `"50%\r100%"` → `"100%"`.
 * A trailing CR (a CRLF line ending) is dropped; the text after the last non-empty
 * CR-separated segment is what a terminal ends up showing for progress redraws.
 */
export function collapseCarriageReturns(line: string): string {
  if (!line.includes('\r')) return line;
  const parts = line.split('\r');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (part) return part;
  }
  return '';
}

/**
 * Split a line into pieces of at most `max` characters, counting code points and never
 * splitting a surrogate pair, so nothing is truncated by the server.
 */
export function splitLine(line: string, max = MAX_LINE_CHARS): string[] {
  // Fast path: UTF-16 length bounds the code point count from above.
  if (line.length <= max) return [line];
  const pieces: string[] = [];
  let start = 0;
  let count = 0;
  let i = 0;
  while (i < line.length) {
    const code = line.charCodeAt(i);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < line.length ? 2 : 1;
    if (count === max) {
      pieces.push(line.slice(start, i));
      start = i;
      count = 0;
    }
    count++;
    i += width;
  }
  pieces.push(line.slice(start));
  return pieces;
}

/**
 * The whole pre-shipping normalisation of one written line: sanitise, split embedded
 * newlines into separate lines, and collapse CR redraws in each.
 */
export function normaliseLine(line: string): string[] {
  if (!NEEDS_WORK.test(line)) return [line];
  const clean = sanitiseLine(line);
  const lines = clean.includes('\n') ? clean.split('\n') : [clean];
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map(collapseCarriageReturns);
}

/** UTF-8 byte length, as coderd counts it. Fast for ASCII. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
