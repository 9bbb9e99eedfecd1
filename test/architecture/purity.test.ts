// The pure core, checked from the outside: eslint.config.js says "every src/ module outside the
// adapter folders is pure" and forbids, file by file, the imports that would break it. This test
// follows value imports through the whole graph, so a core module that reaches Node or a native
// package by any path — through a barrel, a re-export, a dynamic import — fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { minimatch } from 'minimatch';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const { ADAPTERS } = (await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href)) as { ADAPTERS: readonly string[] };

const IO_PACKAGES = /^(node:|fs$|path$|os$|child_process$|http$|https$|net$|worker_threads$|onnxruntime-node|@duckdb\/|koffi$|@resvg\/|vega$|vega-lite$|vega-interpreter$)/;
// Value imports and re-exports, static and dynamic; `import type` / `export type` vanish at run time.
const IMPORT = /(?:^|[\s;])(import|export)\s+(?!type\s)([^'";]*?)\s*from\s*'([^']+)'|import\s*\(\s*'([^']+)'\s*\)|^\s*import\s*'([^']+)'/gm;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

interface Node { readonly direct: string[]; readonly deps: string[] }
function graph(): Map<string, Node> {
  const g = new Map<string, Node>();
  for (const f of tsFiles(SRC)) {
    const direct: string[] = [];
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const clause = m[2] ?? '';
      // `import { type A, type B } from` imports nothing at run time either.
      if (clause.startsWith('{') && clause.slice(1, -1).split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
      const spec = m[3] ?? m[4] ?? m[5];
      if (spec === undefined) continue;
      if (spec.startsWith('.')) deps.push(resolve(dirname(f), spec).replace(/\.js$/, '.ts'));
      else if (IO_PACKAGES.test(spec)) direct.push(spec);
    }
    g.set(f, { direct, deps });
  }
  return g;
}

const isAdapter = (file: string): boolean => ADAPTERS.some((glob) => minimatch(relative(ROOT, file), glob));

/** The chain of imports from `file` to an I/O import, if any. */
function pathToIo(g: Map<string, Node>, file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const node = g.get(file);
  if (node === undefined) return undefined;
  if (node.direct.length > 0) return [relative(SRC, file), node.direct[0]!];
  for (const d of node.deps) {
    const rest = pathToIo(g, d, seen);
    if (rest) return [relative(SRC, file), ...rest];
  }
  return undefined;
}

test('no core module reaches Node built-ins or native packages, by any chain of imports', () => {
  const g = graph();
  const core = [...g.keys()].filter((f) => !isAdapter(f));
  assert.ok(core.length > 100, `only ${core.length} core modules found`);
  const leaks = core.flatMap((f) => {
    const chain = pathToIo(g, f);
    return chain ? [chain.join(' → ')] : [];
  });
  assert.deepEqual(leaks, []);
});

test('the adapters are where the folders say: every file importing Node or a native package is in an adapter folder', () => {
  const g = graph();
  const misplaced = [...g.entries()].filter(([f, n]) => n.direct.length > 0 && !isAdapter(f)).map(([f]) => relative(SRC, f));
  assert.deepEqual(misplaced, []);
  // And the check sees them: the NVML binding is an adapter that imports koffi.
  const nvml = g.get(join(SRC, 'sensors/io/nvml-ffi.ts'));
  assert.ok(nvml && nvml.direct.includes('koffi'), 'sensors/io/nvml-ffi.ts not seen importing koffi');
});

test('the graph walk finds a leak: a core file importing an io/ module is caught', () => {
  const g = graph();
  const fake = join(SRC, 'traces/__probe__.ts');
  g.set(fake, { direct: [], deps: [join(SRC, 'io/lines.ts')] });
  assert.ok(pathToIo(g, fake), 'a core file importing src/io/lines.ts was not caught');
});
