/** Replaces every occurrence of each secret (length ≥ 4) with `***`. Pure. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('***');
  }
  return out;
}

/** A redactor bound to a set of secrets that can grow (tokens are added as they become known). */
export interface Redactor {
  (text: string): string;
  add(secret: string | undefined): void;
}

export function createRedactor(initial: readonly (string | undefined)[] = []): Redactor {
  const secrets = new Set<string>();
  const fn = ((text: string) => redact(text, [...secrets])) as Redactor;
  fn.add = (secret) => {
    if (secret && secret.length >= 4) secrets.add(secret);
  };
  for (const s of initial) fn.add(s);
  return fn;
}
