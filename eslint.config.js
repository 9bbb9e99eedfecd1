// One strict gate: type-aware rules over everything TypeScript compiles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Where adapters live (see the pure-core block below); scripts/test-fast.mjs reads these too. */
export const ADAPTERS = ['src/app/**', 'src/cli/**', 'src/serve/**', 'src/serve-model/**', 'src/store/**', 'src/io/**', 'src/**/io/**', 'src/index.ts', 'src/track.ts', 'src/measure/index.ts', 'src/mlperf/index.ts'];
const NATIVE_PACKAGES = ['onnxruntime-node', '@duckdb/*', 'koffi', '@resvg/*', 'vega', 'vega-lite', 'vega-interpreter'];
/** A relative import of an adapter: an io/ folder, an adapter module, or a barrel re-exporting one. */
const ADAPTER_IMPORT = String.raw`^\.{1,2}/(?:.*/)?(?:io|app|cli|serve|serve-model|store)/|^(?:\.\./)+(?:index|track)\.js$|^\.\./(?:\.\./)*(?:measure|mlperf)/index\.js$`;

export default tseslint.config(
  { ignores: ['dist/', 'dist-check/', 'node_modules/', 'bench/out/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Pure by default (STYLE.md principle 1): every module of src/ is core — no Node built-ins,
    // no native packages, no import of an adapter — except the adapter folders: the commands and
    // the application layer (app, cli, serve, serve-model, store), the shared file adapters
    // (src/io) and each module's own `io/` folder (sensors/io, runs/io, …). The entry points and
    // the barrels that re-export adapters (src/index.ts, src/track.ts, measure's and mlperf's index.ts) are
    // adapters too. Types may be imported from anywhere: they vanish at run time.
    files: ['src/**/*.ts'],
    ignores: [...ADAPTERS],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'worker_threads', ...NATIVE_PACKAGES], message: 'pure core: no I/O here; pass data in (or move this file into an io/ folder)', allowTypeImports: true },
          { regex: ADAPTER_IMPORT, message: 'pure core: an adapter is not imported from the core; pass data in (or move this file into an io/ folder)', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // node:test's test() returns a promise the runner awaits itself.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
