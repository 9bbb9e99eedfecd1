/** The SQuAD v1.1 pipeline of the MLPerf BERT benchmark (pure; file loading is in `files.ts`). */
export * from './wordpiece.js';
export * from './dataset.js';
export * from './features.js';
export * from './postprocess.js';
export * from './evaluate.js';
export * from './accuracy.js';
