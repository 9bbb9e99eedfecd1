import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { skipOrFail } from './requirements.js';

/**
 * The study's raw data is not ours to commit: tests read it in place. Default
 * `../shared/fixtures` (beside the checkout), overridable with INFERPRINT_FIXTURES.
 */
export const FIXTURES_DIR = resolve(process.env.INFERPRINT_FIXTURES ?? resolve(import.meta.dirname, '../../../shared/fixtures'));
export const THESIS_DIR = resolve(FIXTURES_DIR, 'thesis');
export const hasThesis = existsSync(resolve(THESIS_DIR, 'expected.csv'));

/** Why tests of the study's data cannot run here; false when the fixtures are present. */
export const missingThesis: string | false = hasThesis ? false : `study fixtures absent at ${THESIS_DIR} (set INFERPRINT_FIXTURES to the folder holding thesis/)`;

/** Pass as the `skip` option of a test: false when present, else a message saying why it skips (under CI=true it runs, and fails). */
export const skipWithoutThesis: string | false = skipOrFail(missingThesis);
