// "Did you mean ...?" for mistyped commands and options: Damerau-Levenshtein distance.

export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidates to `input`, best first; empty when nothing is close enough to be a typo. */
export function suggest(input: string, candidates: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(needle.length / 3));
  return candidates
    .map((c) => {
      const lc = c.toLowerCase();
      // A prefix ("site" for "sites") or the part after a colon ("create" for "sites:create") counts as close.
      const tail = lc.includes(':') ? lc.slice(lc.indexOf(':') + 1) : lc;
      const dist = Math.min(editDistance(needle, lc), lc.startsWith(needle) && needle.length >= 2 ? 1 : Infinity, editDistance(needle, tail) + 1);
      return { c, dist };
    })
    .filter((x) => x.dist <= limit)
    .sort((x, y) => x.dist - y.dist || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
