// The pure core, checked from the outside: eslint.config.js says "every src/ module outside the
// adapter folders is pure" and forbids, file by file, the imports that would break it. This test
// follows value imports through the whole graph, so a core module that reaches Node or a native
// package by any path — through a barrel, a re-export, a dynamic import — fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { minimatch } from 'minimatch';
import { importsOf, ROOT, SRC, tsFiles } from './imports.js';

const { ADAPTERS } = (await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href)) as { ADAPTERS: readonly string[] };

const IO_PACKAGES = /^(node:|fs$|path$|os$|child_process$|http$|https$|net$|worker_threads$|onnxruntime-node|@duckdb\/|koffi$|@resvg\/|vega$|vega-lite$|vega-interpreter$)/;

interface Node { readonly direct: string[]; readonly deps: string[] }
/** Value imports only: what a module loads at run time. */
function graph(): Map<string, Node> {
  const g = new Map<string, Node>();
  for (const f of tsFiles(SRC)) {
    const values = importsOf(f).filter((i) => !i.typeOnly);
    g.set(f, {
      direct: values.filter((i) => i.target === undefined && IO_PACKAGES.test(i.spec)).map((i) => i.spec),
      deps: values.flatMap((i) => (i.target === undefined ? [] : [i.target])),
    });
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
