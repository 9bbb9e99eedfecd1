/**
 * The runs store (README.md): listing with filters, schema upgrades, read-only SQL over
 * documented views, export and removal, over a directory of run bundles.
 */
export { openStore, type RunStore } from './store.js';
export type { RunFilter } from './filter.js';
export type { StoredRun } from '../runs/io/scan.js';
