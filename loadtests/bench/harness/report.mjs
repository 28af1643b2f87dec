// Turns the rows scenarios return into verdicts and one aligned table.

/** pass when `ratio compare target.ratio` holds; a row's own `pass` (boolean) wins. */
export function verdict(row, fallbackTarget) {
  if (typeof row.pass === 'boolean') return row.pass ? 'pass' : 'miss';
  const target = row.target === undefined ? fallbackTarget : row.target;
  if (!target || typeof row.ratio !== 'number' || Number.isNaN(row.ratio)) return '-';
  const ok = target.compare === '<=' ? row.ratio <= target.ratio : row.ratio >= target.ratio;
  return ok ? 'pass' : 'miss';
}

export function formatTarget(target) {
  if (!target) return '-';
  if (typeof target === 'string') return target;
  return `${target.compare ?? '>='} ${target.ratio}`;
}

export function formatRatio(ratio) {
  if (typeof ratio !== 'number' || Number.isNaN(ratio)) return '-';
  return ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(ratio < 0.01 && ratio > 0 ? 4 : 2);
}

/** Readable figures: objects become "k=v, k=v"; numbers get at most 2 decimals. */
export function formatMeasured(measured) {
  if (measured === undefined || measured === null) return '';
  if (typeof measured !== 'object') return String(measured);
  return Object.entries(measured)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(2) : v}`)
    .join(', ');
}

const COLUMNS = ['scenario', 'subject', 'baseline', 'measured', 'ratio', 'target', 'result'];

/** Flattens scenario results to table lines (one per row; a failed scenario gets an error line). */
export function tableRows(results) {
  const lines = [];
  for (const r of results) {
    if (r.error) {
      lines.push({ scenario: r.name, subject: '-', baseline: '-', measured: `error: ${r.error.split('\n')[0]}`, ratio: '-', target: '-', result: 'error' });
      continue;
    }
    for (const row of r.rows) {
      const target = row.target === undefined ? r.target : row.target;
      lines.push({
        scenario: r.name,
        subject: String(row.subject ?? ''),
        baseline: String(row.baseline ?? ''),
        measured: formatMeasured(row.measured),
        ratio: formatRatio(row.ratio),
        target: formatTarget(target),
        result: verdict(row, r.target),
      });
    }
  }
  return lines;
}

export function formatTable(lines) {
  const widths = COLUMNS.map((c) => Math.max(c.length, ...lines.map((l) => String(l[c]).length)));
  const fmt = (l) => COLUMNS.map((c, i) => String(l[c]).padEnd(widths[i])).join('  ').trimEnd();
  const head = Object.fromEntries(COLUMNS.map((c) => [c, c]));
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}
