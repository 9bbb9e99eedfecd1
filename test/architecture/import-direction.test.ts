// The house's direction: commands (cli, serve) over the application layer (app) over the
// libraries (report, measure, runs, …). An import the other way (app → serve, report → app) made
// the measuring commands load the dashboard and the renderer load the analysis pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Top-level folders of `src/` a file imports (static, dynamic and type imports alike). */
function importedFolders(file: string): { folder: string; spec: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { folder: string; spec: string }[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const spec = m[1]!;
    const target = relative(SRC, resolve(file, '..', spec));
    const folder = target.split('/')[0]!;
    if (!target.startsWith('..')) out.push({ folder, spec });
  }
  return out;
}

const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  app: ['cli', 'serve'],
  report: ['app', 'cli', 'serve'],
  measure: ['app', 'cli', 'serve'],
  runs: ['app', 'cli', 'serve'],
  benchmark: ['app', 'cli', 'serve', 'serve-model'],
  'serve-model': ['app', 'cli'],
};

test('no import goes against the direction of the house', () => {
  const leaks: string[] = [];
  for (const [from, banned] of Object.entries(FORBIDDEN)) {
    for (const file of tsFiles(join(SRC, from))) {
      for (const { folder, spec } of importedFolders(file)) {
        if (banned.includes(folder)) leaks.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(leaks, []);
});

test('the scan sees imports (a file known to import app is found)', () => {
  const found = importedFolders(join(SRC, 'cli/commands/analyze.ts')).map((i) => i.folder);
  assert.ok(found.includes('app'), found.join(','));
});
