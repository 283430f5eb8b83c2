// This package's test bed access: the shared one (tests/support/testbed.ts runs tests/testbed/*.sh
// and docker) and the Docker name prefix of the extensions, image-cache and fallback tests.
import { randomBytes } from 'node:crypto';

export { docker, runTestbed } from '../../../../tests/support/testbed.js';

/** A unique name with this package's Docker prefix. */
export function uniqueName(what: string): string {
  return `dck-builder-ext-${what}-${randomBytes(4).toString('hex')}`;
}
