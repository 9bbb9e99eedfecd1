// The import graph of src/, read as text, shared by the architecture tests (direction of the
// layers, purity of the core).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SRC = join(ROOT, 'src');

export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

export interface Import {
  /** As written, e.g. `../io/lines.js` or `node:fs`. */
  readonly spec: string;
  /** The `.ts` file a relative import names; undefined for packages and built-ins. */
  readonly target?: string;
  /** `import type`, `export type` or `import { type A, type B }`: gone at run time. */
  readonly typeOnly: boolean;
}

// Imports and re-exports, static and dynamic, and bare side-effect imports.
const IMPORT = /(?:^|[\s;])(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'|import\s*\(\s*'([^']+)'\s*\)|^\s*import\s*'([^']+)'/gm;

export function importsOf(file: string): Import[] {
  const out: Import[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const clause = m[3] ?? '';
    const typeOnly = m[2] !== undefined || (clause.startsWith('{') && clause.slice(1, -1).split(',').every((n) => n.trim() === '' || n.trim().startsWith('type ')));
    const spec = (m[4] ?? m[5] ?? m[6])!;
    out.push({ spec, typeOnly, ...(spec.startsWith('.') ? { target: resolve(dirname(file), spec).replace(/\.js$/, '.ts') } : {}) });
  }
  return out;
}
