// Runs subjects side by side in interleaved rounds so that machine noise hits all of them alike,
// and reduces the rounds to one figure per subject.

/** The middle value (mean of the two middle ones for an even count). */
export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Calls every subject's `measure()` once per round, rotating the order each round (A B C, B C A,
 * C A B). Resolves with { [subject]: [result per round] }.
 */
export async function interleave(subjects, { rounds = 3, onResult } = {}) {
  const names = Object.keys(subjects);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const result = await subjects[name]();
      results[name].push(result);
      onResult?.(name, result, r);
    }
  }
  return results;
}

/** The round with the median req/s of a list of wrk reports: one coherent set of figures. */
export function medianRun(reports) {
  const sorted = [...reports].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Median over rounds of subject/baseline measured in the same round: noise that hits one round
 * (another process waking up) cancels out instead of skewing one side. `pick` reads the figure.
 */
export function pairedRatio(subjectRuns, baselineRuns, pick = (r) => r.requestsPerSec) {
  const n = Math.min(subjectRuns.length, baselineRuns.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(pick(subjectRuns[i]) / pick(baselineRuns[i]));
  return median(ratios);
}
