import { validate as uuidValidate, v5 as uuidv5 } from 'uuid';
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
  if (id !== undefined && !uuidValidate(id)) {
    throw new CoderLogClientError('INVALID_OPTIONS', `source id is not a UUID: ${JSON.stringify(id)}`, {
      field: 'id',
    });
  }
  const name = [...displayName].slice(0, MAX_DISPLAY_NAME_CHARS).join('');
  return {
    id: (id ?? uuidv5(displayName, LOG_SOURCE_NAMESPACE)).toLowerCase(),
    display_name: name,
    icon: icon ?? DEFAULT_ICON,
  };
}
