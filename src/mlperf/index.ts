/** MLPerf Inference logs: summary, detail and harness-file parsers (pure) and log-tree discovery (I/O). */
export * from './types.js';
export { parseSummary } from './parse-summary.js';
export { parseDetail, parseLine, decodeMllogJson, parsePowerTimestamp, parseTestDatetimeWallClock, parseLoadgenVersion } from './parse-detail.js';
export { parseRunMetadata, parseHarnessSummary, detectedDeviceName } from './parse-metadata.js';
export {
  scanMlperfLogTree,
  readMlperfSummary,
  readMlperfDetail,
  loadRunDetail,
  parseRunTimestamp,
  parseLogSet,
  SUMMARY_FILE,
  DETAIL_FILE,
  METADATA_FILE,
  HARNESS_SUMMARY_FILE,
  type ScanOptions,
} from './io/log-tree.js';
