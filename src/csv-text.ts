/** CSV text as inferprint writes it everywhere (RFC 4180): one cell and whole documents. Pure. */

export type CsvValue = string | number | boolean | null | undefined;

/** One cell: empty for null, undefined and non-finite numbers; quoted when it holds `"`, `,` or a line break. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header line, then one line per row; ends with a newline. */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}
