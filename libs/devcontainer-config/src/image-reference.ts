/**
 * Image references (`image`) against the grammar every engine parses them with (the distribution/reference grammar
 * Docker and Podman share): `[host[:port]/]path[:tag][@algorithm:hex]`, path components lowercase.
 */

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Longest repository name the grammar allows. */
const NAME_MAX = 255;

export type ImageReferenceResult = { ok: true; name: string; tag?: string; digest?: string } | { ok: false; message: string };

/** Check an image reference as written (no variables). */
export function parseImageReference(reference: string): ImageReferenceResult {
  // The input is bounded before the regular expression runs (the grammar caps a reference well below this).
  if (reference.length > 1024) return { ok: false, message: `image reference is ${reference.length} characters long` };
  const m = REFERENCE_RE.exec(reference);
  if (m === null) {
    const hint =
      reference === ''
        ? 'it is empty'
        : REFERENCE_RE.test(reference.toLowerCase())
          ? 'the repository name must be lowercase'
          : 'expected [registry[:port]/]name[:tag][@sha256:digest]';
    return { ok: false, message: `${JSON.stringify(reference)} is not an image reference a container engine accepts: ${hint}` };
  }
  const [, name = '', tag, digest] = m;
  if (name.length > NAME_MAX) return { ok: false, message: `the repository name is longer than ${NAME_MAX} characters` };
  return { ok: true, name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}
