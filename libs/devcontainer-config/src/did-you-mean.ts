import { distance } from 'fastest-levenshtein';

/** The closest candidate to `input`, when it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    const d = distance(lower, c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  return bestScore <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMeanSuffix(input: string, candidates: Iterable<string>): string {
  const hit = didYouMean(input, candidates);
  return hit === undefined ? '' : ` (did you mean "${hit}"?)`;
}
