// A corporate CA (DEVCONTAINER_CA_CERT): a PEM bundle from a Secret or ConfigMap mounted as a file.
// The builder writes two files next to its state, on the workspace volume the Docker daemon shares:
// `ca.crt` (the given certificates) and `ca-bundle.crt` (the builder's system bundle + them). Every
// docker / devcontainer CLI / git child then trusts it — git through GIT_SSL_CAINFO (Debian's git uses
// GnuTLS, which ignores SSL_CERT_FILE), the devcontainer CLI through NODE_EXTRA_CA_CERTS, OpenSSL tools
// through SSL_CERT_FILE — and, unless opted out, the devcontainer gets both files bind-mounted read-only
// under /usr/local/share/devcontainer-kit/ (copies: the CLI's --mount has no read-only flag) with NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and GIT_SSL_CAINFO
// in its remote env (hooks and the agent's sessions). Certificates are public: nothing here is secret.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { BuilderError } from './errors.js';

/** Where the devcontainer finds the files. */
export const CONTAINER_CA_DIR = '/usr/local/share/devcontainer-kit';
/** Debian's (and the builder image's) system bundle. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface PreparedCaCert {
  /** The given certificates (PEM), on the shared volume. */
  caFile: string;
  /** System bundle + the given certificates. */
  bundleFile: string;
  /** Subjects of the given certificates (for the log). */
  subjects: string[];
  /** For the Docker context: every child trusts the CA. */
  env: Record<string, string>;
  /** `--mount` specs and `NAME=VALUE` remote env for the devcontainer (empty when opted out). */
  mounts: string[];
  remoteEnv: string[];
}

/** Pure: the PEM certificates of a bundle, each checked by parsing; throws on none or a broken one. */
export function parsePemBundle(text: string): { pem: string[]; subjects: string[] } {
  const pem = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pem.length === 0) throw new Error('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  const subjects = pem.map((p, i) => {
    try {
      return new X509Certificate(p).subject.replaceAll('\n', ', ');
    } catch {
      throw new Error(`certificate ${i + 1} of ${pem.length} does not parse`);
    }
  });
  return { pem, subjects };
}

async function readOptional(path: string | undefined): Promise<string> {
  if (!path) return '';
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export interface PrepareCaCertOptions {
  /** DEVCONTAINER_CA_CERT. */
  file: string;
  /** Builder state folder (on the volume the Docker daemon shares, so bind mounts resolve). */
  stateDir: string;
  /** Mount the files into the devcontainer and set its env (DEVCONTAINER_CA_CERT_IN_CONTAINER). Default true. */
  inContainer?: boolean;
  /** The builder's environment: an existing NODE_EXTRA_CA_CERTS is kept (its certificates are added). */
  env?: Readonly<Record<string, string | undefined>>;
  systemBundle?: string;
}

/** Writes ca.crt and ca-bundle.crt under `<stateDir>/ca/`; throws `BuilderError` (`settings`) naming the file. */
export async function prepareCaCert({
  file,
  stateDir,
  inContainer = true,
  env = {},
  systemBundle = SYSTEM_CA_BUNDLE,
}: PrepareCaCertOptions): Promise<PreparedCaCert> {
  let parsed: { pem: string[]; subjects: string[] };
  try {
    parsed = parsePemBundle(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BuilderError(`DEVCONTAINER_CA_CERT: ${file}: ${code ? `cannot read it (${code})` : (error as Error).message}`, {
      code: 'settings',
      phase: 'preflight',
    });
  }
  const dir = join(stateDir, 'ca');
  await mkdir(dir, { recursive: true });
  const ca = `${parsed.pem.join('\n')}\n`;
  const caFile = join(dir, 'ca.crt');
  const bundleFile = join(dir, 'ca-bundle.crt');
  const nodeExtraFile = join(dir, 'node-extra-ca.crt');
  const system = await readOptional(systemBundle);
  const existingExtra = await readOptional(env.NODE_EXTRA_CA_CERTS);
  await writeFile(caFile, ca, { mode: 0o644 });
  await writeFile(bundleFile, `${system.trimEnd()}${system ? '\n' : ''}${ca}`, { mode: 0o644 });
  await writeFile(nodeExtraFile, `${existingExtra.trimEnd()}${existingExtra ? '\n' : ''}${ca}`, { mode: 0o644 });
  const inside = { ca: `${CONTAINER_CA_DIR}/ca.crt`, bundle: `${CONTAINER_CA_DIR}/ca-bundle.crt` };
  return {
    caFile,
    bundleFile,
    subjects: parsed.subjects,
    env: { NODE_EXTRA_CA_CERTS: nodeExtraFile, GIT_SSL_CAINFO: bundleFile, SSL_CERT_FILE: bundleFile },
    mounts: inContainer ? [`type=bind,source=${caFile},target=${inside.ca}`, `type=bind,source=${bundleFile},target=${inside.bundle}`] : [],
    remoteEnv: inContainer ? [`NODE_EXTRA_CA_CERTS=${inside.ca}`, `SSL_CERT_FILE=${inside.bundle}`, `GIT_SSL_CAINFO=${inside.bundle}`] : [],
  };
}

/** Pure: the same Docker context with the CA's environment added. */
export function withCaCert(ctx: DockerContext, prepared: Pick<PreparedCaCert, 'env'>): DockerContext {
  return Object.freeze({ ...ctx, env: Object.freeze({ ...ctx.env, ...prepared.env }) });
}
