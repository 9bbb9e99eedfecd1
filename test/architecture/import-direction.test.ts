// The house's direction: commands (cli, serve) over the application layer (app) over the
// libraries (report, measure, runs, …). An import the other way (app → serve, report → app) made
// the measuring commands load the dashboard and the renderer load the analysis pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { importsOf, SRC, tsFiles } from './imports.js';

/** Top-level folders of `src/` a file imports (static, dynamic and type imports alike). */
function importedFolders(file: string): { folder: string; spec: string }[] {
  return importsOf(file).flatMap(({ spec, target }) => {
    if (target === undefined) return [];
    const rel = relative(SRC, target);
    return rel.startsWith('..') ? [] : [{ folder: rel.split('/')[0]!, spec }];
  });
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
