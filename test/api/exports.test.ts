import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The package's `exports` and the docs, kept in step: every subpath resolves (from the built
 * package, by name, for Node and for TypeScript), and every `import … from 'inferprint…'` in
 * README.md and docs/ names an exported subpath and names it exports.
 */

const ROOT = resolve(import.meta.dirname, '../..');
interface Pkg {
  readonly name: string;
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly default: string }>>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Pkg;
const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
const specifier = (sub: string) => (sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`);
const built = existsSync(join(ROOT, 'dist/index.js'));
const notBuilt = built ? false : 'dist/ not built (npm run build)';

/** The source module a built file comes from: `./dist/x/y.js` → `src/x/y.ts`. */
function sourceOf(target: string): string {
  const m = /^\.\/dist\/(.+)\.js$/.exec(target);
  assert.ok(m, `${target} is not a built file under dist/`);
  return join(ROOT, 'src', `${m[1]!}.ts`);
}

function entry(sub: string): { readonly types: string; readonly default: string } {
  const e = pkg.exports[sub];
  assert.ok(e !== undefined && typeof e === 'object', `${sub}: give { types, default }`);
  return e;
}

void test('every subpath export has types and code in dist/, built from a source module that exists', () => {
  assert.ok(subpaths.includes('.'));
  for (const sub of subpaths) {
    const e = entry(sub);
    assert.match(e.types, /^\.\/dist\/.+\.d\.ts$/, sub);
    assert.equal(e.types.replace(/\.d\.ts$/, '.js'), e.default, `${sub}: types beside the code`);
    assert.ok(existsSync(sourceOf(e.default)), `${sub}: ${sourceOf(e.default)}`);
  }
});

void test('the built package: every subpath imports by name in Node, with exports', { skip: notBuilt }, () => {
  // Self-reference: from the package's own directory, Node resolves its name through `exports`.
  const code = `for (const s of ${JSON.stringify(subpaths.map(specifier))}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const sub of subpaths) {
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${specifier(sub)} `));
    assert.ok(line && Number(line.split(' ')[1]) > 0, `${specifier(sub)}: ${r.stdout}`);
  }
});

void test('the built package: every subpath has types a TypeScript user resolves (NodeNext)', { skip: notBuilt }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', pkg.name), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const lines = subpaths.map((sub, i) => `import * as m${i} from '${specifier(sub)}';\nexport const k${i}: number = Object.keys(m${i}).length;`);
  // A name from each, typed: a types entry that resolved to nothing would make these errors.
  lines.push(
    "import { track, type TrackResult, type ErrorCode } from 'inferprint';",
    "import { trapezoidJ } from 'inferprint/energy';",
    "import { requireHardware } from 'inferprint/impact';",
    "import { Recorder } from 'inferprint/measure';",
    'export const used: [typeof track, TrackResult | undefined, ErrorCode, number, string, typeof Recorder] = [track, undefined, "IO", trapezoidJ([0, 1], [1, 1]), requireHardware("H100-NVL").id, Recorder];',
  );
  writeFileSync(join(dir, 'consumer.ts'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: ['consumer.ts'],
    }),
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// ---------------------------------------------------------------------------------------
// The docs

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? docs(join(dir, d.name)) : d.name.endsWith('.md') ? [join(dir, d.name)] : []));
  return [join(ROOT, 'README.md'), ...docs(join(ROOT, 'docs'))];
}

interface DocImport {
  readonly file: string;
  readonly specifier: string;
  /** Value names imported (type-only names are left to the type check). */
  readonly names: readonly string[];
}

/** `import { a, type B } from 'inferprint/x'`, `import * as m from 'inferprint'`, `import('inferprint/x')`. */
export function docImports(text: string, file: string): DocImport[] {
  const out: DocImport[] = [];
  const re = /import\s*(?:(\{[^}]*\})|\*\s+as\s+\w+|\w+)?\s*(?:from\s*)?\(?\s*['"](inferprint(?:\/[^'"]*)?)['"]/g;
  for (const m of text.matchAll(re)) {
    const names = (m[1] ?? '')
      .replace(/[{}]/g, '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0]!.trim())
      .filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)); // prose such as `import { … } from 'inferprint'`
    out.push({ file, specifier: m[2]!, names });
  }
  return out;
}

void test('docImports reads the import forms the docs use', () => {
  const text = "import { a, type B, c as d } from 'inferprint/x';\nconst m = await import('inferprint');\nimport * as all from \"inferprint/energy\";";
  assert.deepEqual(
    docImports(text, 'f').map((i) => [i.specifier, i.names]),
    [
      ['inferprint/x', ['a', 'c']],
      ['inferprint', []],
      ['inferprint/energy', []],
    ],
  );
});

void test('README.md and docs/ import only exported subpaths, and only names they export', async () => {
  const imports = markdownFiles().flatMap((f) => docImports(readFileSync(f, 'utf8'), f.slice(ROOT.length + 1)));
  assert.ok(imports.some((i) => i.file === 'README.md'), 'the README shows the library');
  const bySpecifier = new Map(subpaths.map((sub) => [specifier(sub), sub]));
  for (const i of imports) {
    const sub = bySpecifier.get(i.specifier);
    assert.ok(sub !== undefined, `${i.file}: '${i.specifier}' is not in package.json exports (${[...bySpecifier.keys()].join(', ')})`);
    const mod = (await import(pathToFileURL(sourceOf(entry(sub).default)).href)) as Record<string, unknown>;
    for (const name of i.names) assert.ok(name in mod, `${i.file}: '${i.specifier}' does not export ${name}`);
  }
});
