import { createHash } from 'node:crypto';
import { CoderLogClientError } from './errors.js';
import type { LogSourceBody } from './types.js';

/** The namespace for ids derived from display names (stable across runs and machines). */
export const LOG_SOURCE_NAMESPACE = '6f1f3c1e-5e0b-5a4e-9c55-2f0d7c1b9a10';
/** coderd stores display names in a varchar(127). */
export const MAX_DISPLAY_NAME_CHARS = 127;
/** Coder's built-in icon for external logs. */
export const DEFAULT_ICON = '/emojis/1f4dc.png';

export interface LogSourceOptions {
  /** A UUID; default: UUIDv5 of the display name, so the same name always maps to the same source. */
  id?: string;
  displayName: string;
  /** An icon path or URL as Coder accepts it (e.g. `/icon/docker.svg`). */
  icon?: string;
}

/** Build the POST log-source body (pure). Long names are cut to 127 characters. */
export function createLogSource({ id, displayName, icon }: LogSourceOptions): LogSourceBody {
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new CoderLogClientError('INVALID_OPTIONS', 'displayName must be a non-empty string', {
      field: 'displayName',
    });
  }
  if (id !== undefined && !isUuid(id)) {
    throw new CoderLogClientError('INVALID_OPTIONS', `source id is not a UUID: ${JSON.stringify(id)}`, {
      field: 'id',
    });
  }
  const name = [...displayName].slice(0, MAX_DISPLAY_NAME_CHARS).join('');
  return {
    id: (id ?? uuidV5(displayName, LOG_SOURCE_NAMESPACE)).toLowerCase(),
    display_name: name,
    icon: icon ?? DEFAULT_ICON,
  };
}

// RFC 9562 UUIDs with node:crypto rather than the uuid package, whose import alone added 7-8 MB
// of RSS to every process that loads this client (it was half of what kept the CLI over 100 MB).
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;

/** Whether `text` is a UUID (any version 1-8, or the nil and max UUIDs), as the uuid package validates. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** The name-based (SHA-1) UUID of `name` in `namespace`: version 5. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
