import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEW_NAMES } from '../../src/store/duck.js';
import { RUN_COLUMNS, type ColumnSpec } from '../../src/runs/row.js';
import { COUNTER_COLUMNS, MANIFEST_COLUMNS, RESULT_COLUMNS, TRACE_COLUMNS, WINDOW_COLUMNS } from '../../src/store/rows.js';

const README = readFileSync(join(import.meta.dirname, '../../src/store/README.md'), 'utf8');

/** The README's column tables are these definitions, word for word, so the docs cannot drift from the views. */
test('src/store/README.md documents every column of every view as defined', () => {
  const views: Record<(typeof VIEW_NAMES)[number], readonly ColumnSpec[]> = {
    runs: RUN_COLUMNS,
    manifests: MANIFEST_COLUMNS,
    windows: WINDOW_COLUMNS,
    traces: TRACE_COLUMNS,
    counters: COUNTER_COLUMNS,
    results: RESULT_COLUMNS,
  };
  for (const [name, cols] of Object.entries(views)) {
    const table = ['| column | type | unit | meaning |', '|---|---|---|---|', ...cols.map((c) => `| \`${c.name}\` | ${c.type} | ${c.unit} | ${c.doc} |`)].join('\n');
    assert.ok(README.includes(`### \`${name}\``), `section for ${name}`);
    assert.ok(README.includes(table), `column table of ${name} (regenerate it from src/runs/row.ts and src/store/rows.ts)`);
  }
});
