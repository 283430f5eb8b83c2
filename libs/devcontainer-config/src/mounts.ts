/** A mount in object form. */
export interface MountSpec {
  type: string;
  source?: string;
  target: string;
  readonly?: boolean;
  /** Other `key=value` options of the string form, as written. */
  options?: Record<string, string>;
}

export type ParseMountResult = { ok: true; mount: MountSpec } | { ok: false; message: string };

const TARGET_KEYS = ['target', 'destination', 'dst'];
const SOURCE_KEYS = ['source', 'src'];

/** Parse the Docker `--mount` string form (`type=bind,source=a,target=b`). */
export function parseMountString(value: string): ParseMountResult {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? 'true' : part.slice(eq + 1);
    fields[key] = v;
  }
  const target = TARGET_KEYS.map((k) => fields[k]).find((x) => x !== undefined);
  if (target === undefined || target === '') return { ok: false, message: `mount "${value}" has no target ("target=/path")` };
  const type = fields.type ?? 'volume';
  if (!['bind', 'volume', 'tmpfs'].includes(type)) {
    return { ok: false, message: `mount "${value}": type must be "bind", "volume" or "tmpfs", found "${type}"` };
  }
  const source = SOURCE_KEYS.map((k) => fields[k]).find((x) => x !== undefined);
  if (type === 'bind' && (source === undefined || source === '')) return { ok: false, message: `bind mount "${value}" has no source` };
  const mount: MountSpec = { type, target };
  if (source !== undefined) mount.source = source;
  const ro = fields.readonly ?? fields.ro;
  if (ro !== undefined) mount.readonly = ro !== 'false' && ro !== '0';
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (!['type', 'readonly', 'ro', ...TARGET_KEYS, ...SOURCE_KEYS].includes(k)) rest[k] = v;
  if (Object.keys(rest).length > 0) mount.options = rest;
  return { ok: true, mount };
}
