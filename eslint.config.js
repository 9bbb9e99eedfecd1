// One strict gate: type-aware rules over everything TypeScript compiles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The pure core must stay free of Node built-ins and native packages (STYLE.md principle 1).
    files: ['src/units/**', 'src/traces/energy.ts', 'src/traces/stats.ts', 'src/traces/profile.ts', 'src/traces/streaming.ts', 'src/traces/interpolate.ts', 'src/traces/builder.ts', 'src/traces/plausibility.ts', 'src/traces/stream-energy.ts', 'src/errors.ts', 'src/impact/**', 'src/analysis/**', 'src/mlperf/parse-*.ts', 'src/traces/parse-*.ts', 'src/sensors/parse-*.ts', 'src/sensors/cpu-power-model.ts', 'src/measure/summary.ts', 'src/runs/manifest.ts', 'src/runs/run-impact.ts', 'src/traces/provenance.ts', 'src/benchmark/loadgen/**', 'src/runs/schema.ts', 'src/io/fs-errors.ts', 'src/io/csv-text.ts', 'src/benchmark/sut/kserve-protocol.ts', 'src/benchmark/sut/ort-protocol.ts', 'src/benchmark/sut/ort-bert-io.ts', 'src/benchmark/squad/!(files).ts', 'src/report/figures.ts', 'src/report/html.ts', 'src/report/palette.ts', 'src/report/pareto.ts', 'src/report/methods.ts', 'src/report/tables.ts', 'src/advise/!(load|measured-io|report-io).ts', 'src/report/advise-!(write).ts', 'src/llm/core/**', 'src/llm/model/tokenizer.ts', 'src/llm/model/synthetic-decoder.ts', 'src/llm/impact.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'pure core: no I/O here; pass data in' }] }],
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
