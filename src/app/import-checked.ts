import { errors } from '../errors.js';
import { IMPORT_FORMATS, importRuns as importRunsUnchecked, type ImportedRun, type ImportOptions } from './import.js';

/**
 * `importRuns` for library callers: the format is checked here, as the CLI checks its FORMAT
 * argument, so a JavaScript caller's typo is an INVALID_VALUE error naming the field rather
 * than a TypeError from deep inside an importer. (The check belongs in `app/import.ts`
 * itself; it lives here until that module takes it.)
 */
export async function importRuns(opts: ImportOptions): Promise<ImportedRun[]> {
  if (!(IMPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw errors.invalidValue({ field: 'format' }, `unknown import format ${JSON.stringify(opts.format)} (expected ${IMPORT_FORMATS.join(', ')})`);
  }
  return importRunsUnchecked(opts);
}
