import { errors } from '../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './command.js';
import { csvText } from '../csv-text.js';

export interface Column<R> {
  readonly key: string;
  /** Header shown in tables, with its unit, e.g. `energy (J)`. */
  readonly header: string;
  readonly value: (row: R) => string | number | boolean | null | undefined;
  /** Decimals for numbers in the table view; CSV and JSON keep full precision. */
  readonly digits?: number;
  readonly align?: 'left' | 'right';
}

export function parseFormat(raw: string | undefined): OutputFormat {
  const f = raw ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) {
    throw errors.usage(`unknown format '${f}' (expected ${OUTPUT_FORMATS.join(', ')})`, '--format');
  }
  return f as OutputFormat;
}

export function renderCsv<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  return csvText(
    columns.map((c) => c.key),
    rows.map((r) => columns.map((c) => c.value(r))),
  );
}

function tableCell<R>(c: Column<R>, r: R): string {
  const v = c.value(r);
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '—';
    return c.digits !== undefined ? v.toFixed(c.digits) : String(v);
  }
  return String(v);
}

/** A fixed-width text table: headers carry units, numbers right-aligned. */
export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((r) => columns.map((c) => tableCell(c, r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const pad = (s: string, i: number): string => {
    const c = columns[i]!;
    const right = c.align === 'right' || (c.align === undefined && c.digits !== undefined);
    return right ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
  };
  const lines = [
    columns.map((c, i) => pad(c.header, i)).join('  '),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((row) => row.map((s, i) => pad(s, i)).join('  ')),
  ];
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}

/** JSON with BigInt written as strings (MLPerf seeds exceed 2^53). */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
