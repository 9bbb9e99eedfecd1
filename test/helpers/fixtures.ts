import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The study's raw data is not ours to commit: tests read it in place. Default
 * `../shared/fixtures` (beside the checkout), overridable with INFERPRINT_FIXTURES.
 */
export const FIXTURES_DIR = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(import.meta.dirname, '../../../shared/fixtures'));
export const THESIS_DIR = resolve(FIXTURES_DIR, 'thesis');
export const hasThesis = existsSync(resolve(THESIS_DIR, 'expected.csv'));

/** Pass as the `skip` option of a test: false when present, else a message saying why it skips. */
export const skipWithoutThesis: string | false = hasThesis
  ? false
  : `study fixtures absent at ${THESIS_DIR} (set INFERPRINT_FIXTURES to the folder holding thesis/)`;
