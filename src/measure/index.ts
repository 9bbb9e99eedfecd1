/** In-process measurement: a recorder with named windows over any sensor, and its summary. */
export { Recorder, type Recording, type Window, type CounterSeries, type RecorderOptions } from './recorder.js';
export { summarizeRecording, type RecordingSummary, type ChannelSummary, type CounterComparison } from './summary.js';
export { chooseSensor, getSensor, AUTO_ORDER } from '../sensors/io/registry.js';
export { type Sensor, type SensorEnv, type SensorInfo } from '../sensors/types.js';
export { defaultSensorEnv } from '../sensors/io/env.js';
