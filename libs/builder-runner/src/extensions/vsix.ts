// The offline directory of .vsix files: reading a .vsix's manifest (I/O) and matching (pure).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import type { ExtensionRef, VsixDirectoryScan, VsixFile } from './types.js';
import { compareVersions } from './version.js';

const MANIFEST = 'extension/package.json';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Reads `extension/package.json` out of a .vsix (a zip) without unpacking the rest: yauzl reads
 * the zip's central directory and inflates only that entry, so large extensions cost little.
 */
export async function readVsixManifest(file: string): Promise<VsixFile> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const text = await new Promise<string>((resolve, reject) => {
    let found = false;
    zip.on('error', reject);
    zip.on('end', () => {
      if (!found) reject(new Error(`no ${MANIFEST} in the archive`));
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== MANIFEST) {
        zip.readEntry();
        return;
      }
      found = true;
      if (entry.uncompressedSize > MAX_MANIFEST_BYTES) {
        zip.close();
        reject(new Error(`${MANIFEST} is larger than ${MAX_MANIFEST_BYTES} bytes`));
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
    });
    zip.readEntry();
  });
  let manifest: { publisher?: unknown; name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${MANIFEST} is not JSON: ${(cause as Error).message}`);
  }
  const { publisher, name, version } = manifest;
  if (typeof publisher !== 'string' || typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${MANIFEST} lacks publisher, name or version`);
  }
  return { file, id: `${publisher}.${name}`.toLowerCase(), publisher, name, version };
}

/** Reads every `*.vsix` in a directory (not recursive). A missing directory is a problem, not an error. */
export async function scanVsixDirectory(dir: string): Promise<VsixDirectoryScan> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.vsix')).sort();
  } catch (cause) {
    return { files: [], problems: [{ file: dir, reason: `cannot read the directory: ${(cause as Error).message}` }] };
  }
  const scan: VsixDirectoryScan = { files: [], problems: [] };
  for (const name of names) {
    const file = join(dir, name);
    try {
      scan.files.push(await readVsixManifest(file));
    } catch (cause) {
      scan.problems.push({ file, reason: (cause as Error).message });
    }
  }
  return scan;
}

/**
 * Picks the .vsix for a request: the exact version when pinned, otherwise the highest version of
 * that id. Matching goes by the manifest, never by the file name.
 */
export function matchVsix(files: readonly VsixFile[], ref: ExtensionRef): VsixFile | undefined {
  const candidates = files.filter((f) => f.id === ref.id && (!ref.version || f.version === ref.version));
  return candidates.sort((a, b) => compareVersions(b.version, a.version))[0];
}
