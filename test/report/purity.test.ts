import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The modules the dashboard imports in a browser: no Node built-in, no native package. */
const PURE = ['figures.ts', 'context.ts', 'html.ts', 'palette.ts', 'pareto.ts', 'methods.ts', 'tables.ts', 'hardware-footprints.ts'];

test('the report modules a browser loads import nothing from node:*, fs, path or a native package', () => {
  for (const f of PURE) {
    const text = readFileSync(join(import.meta.dirname, '../../src/report', f), 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)];
    for (const m of imports) {
      const typeOnly = m[1] !== undefined;
      const from = m[2]!;
      assert.ok(typeOnly || from.startsWith('.'), `${f} imports ${from}`);
      assert.ok(!/^(node:|fs$|path$|os$|child_process$)/.test(from), `${f} imports ${from}`);
      // Value imports from this folder must themselves be pure (data.ts is types; the loading is src/app/report-data.ts).
      if (!typeOnly && from.startsWith('./')) assert.ok(PURE.includes(from.slice(2).replace(/\.js$/, '.ts')), `${f} imports ${from} at run time`);
    }
  }
});
