import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogLevel } from './types.js';

const FLUSH_AT_CHARS = 64 * 1024;

/**
 * The full local log: every written line, before any collapsing, budget or shipping decision.
 * Buffered and written synchronously in 64 KiB chunks (and on flush/close), so a crash loses at
 * most one chunk and memory stays bounded. Write errors are reported once, never thrown.
 */
export class LocalLogFile {
  private fd: number | undefined;
  private chunks: string[] = [];
  private size = 0;
  private failed = false;

  constructor(
    readonly path: string,
    private readonly onError: (err: unknown) => void,
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a', 0o600);
    } catch (err) {
      this.fail(err);
    }
  }

  append(source: string, level: LogLevel, line: string, at: string): void {
    if (this.fd === undefined) return;
    const text = `${at} ${level.padEnd(5)} [${source}] ${line}\n`;
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT_CHARS) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    try {
      writeSync(this.fd, text);
    } catch (err) {
      this.fail(err);
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }

  private fail(err: unknown): void {
    this.fd = undefined;
    if (this.failed) return;
    this.failed = true;
    this.onError(err);
  }
}
