/** Where help and messages go: a stream's write, and whether/how wide it is a terminal. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colour only on a terminal, never with `NO_COLOR` set (https://no-color.org: any non-empty value),
 * never on `TERM=dumb`. Pure.
 */
export function useColour(stream: CliStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** The width to wrap help at: the terminal's, else `COLUMNS`, else 80; never below 40. Pure. */
export function terminalWidth(stream: CliStream, env: Record<string, string | undefined>): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const width = stream.isTTY && stream.columns ? stream.columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(40, width);
}

/** ANSI styles that turn into nothing when colour is off. */
export function createStyle(colour: boolean) {
  const wrap = (open: number, close: number) => (text: string) => (colour ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), cyan: wrap(36, 39), red: wrap(31, 39), yellow: wrap(33, 39) };
}

export type Style = ReturnType<typeof createStyle>;

/** Words of `text` in lines of at most `width` characters (a longer word is cut into pieces). Pure. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  const pieces = (word: string) => (word.length <= width ? [word] : (word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word]));
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean).flatMap(pieces)) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}
