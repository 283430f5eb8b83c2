// Pure: which build-context paths a Dockerfile's COPY and ADD instructions read.

export interface DockerfileSources {
  /** Context-relative sources (files, directories or globs), as written. */
  paths: string[];
  /** ADD sources that are URLs or git repositories (hashed as strings: their content is not known here). */
  remote: string[];
  /**
   * Why the whole build context must be hashed instead (a source uses a variable, or is `.`),
   * or undefined when the listed paths are enough.
   */
  wholeContextReason?: string;
}

/** Joins continuation lines, drops comments and heredoc bodies; returns `[instruction, args]` pairs. */
export function splitInstructions(text: string): { instruction: string; args: string; heredocs: boolean }[] {
  const lines = text.split(/\r?\n/);
  let escapeChar = '\\';
  // Parser directives come first: `# escape=`` switches the continuation character.
  for (const line of lines) {
    const m = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape') escapeChar = m[2]!;
  }
  const out: { instruction: string; args: string; heredocs: boolean }[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*#/.test(line) || (current === '' && line.trim() === '')) continue;
    const trimmedEnd = line.replace(/\s+$/, '');
    if (trimmedEnd.endsWith(escapeChar)) {
      current += `${trimmedEnd.slice(0, -escapeChar.length)} `;
      continue;
    }
    current += line;
    const m = /^\s*(\S+)\s*(.*)$/s.exec(current);
    current = '';
    if (!m) continue;
    const args = m[2]!.trim();
    // Heredocs (`<<EOF`, `<<-"EOF"`): skip their bodies.
    const words = [...args.matchAll(/<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g)].map((h) => h[2]!);
    for (const word of words) {
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== word) i++;
      i++;
    }
    out.push({ instruction: m[1]!.toUpperCase(), args, heredocs: words.length > 0 });
  }
  return out;
}

function splitArgs(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed as string[];
    } catch {
      // not JSON form after all: fall through to the shell form
    }
  }
  return (args.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
}

/** Lists what COPY/ADD read from the build context. `COPY --from=...` reads another stage or image and is skipped. */
export function parseDockerfileSources(text: string): DockerfileSources {
  const result: DockerfileSources = { paths: [], remote: [] };
  for (const { instruction, args } of splitInstructions(text)) {
    if (instruction !== 'COPY' && instruction !== 'ADD') continue;
    const words = splitArgs(args);
    const flags = words.filter((w) => w.startsWith('--'));
    if (flags.some((f) => f.startsWith('--from'))) continue;
    const operands = words.filter((w) => !w.startsWith('--'));
    const sources = operands.slice(0, -1).filter((s) => !s.startsWith('<<'));
    for (const source of sources) {
      if (instruction === 'ADD' && (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source))) {
        result.remote.push(source);
      } else if (source.includes('$')) {
        result.wholeContextReason ??= `${instruction} ${source} uses a variable`;
      } else {
        result.paths.push(source);
      }
    }
  }
  return result;
}
