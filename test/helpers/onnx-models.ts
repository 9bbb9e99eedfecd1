// Small ONNX models for the system-under-test tests, built with the project's own ONNX writer.
import { attr, OnnxDataType, type OnnxModel } from '../../src/benchmark/bert/onnx-writer.js';

/**
 * int32 inputs and one stacked [batch, seq, 2] output: start = ids + segment, end = mask, so the
 * input conversions and the (de-)interleaving of the logits can be checked exactly.
 */
export const STACKED_INT32_MODEL: OnnxModel = {
  producerName: 'test',
  producerVersion: '0',
  graph: {
    name: 'stacked',
    nodes: [
      { name: 'ids_f', opType: 'Cast', inputs: ['input_ids'], outputs: ['ids_f'], attributes: { to: attr.int(OnnxDataType.float32) } },
      { name: 'seg_f', opType: 'Cast', inputs: ['token_type_ids'], outputs: ['seg_f'], attributes: { to: attr.int(OnnxDataType.float32) } },
      { name: 'mask_f', opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask_f'], attributes: { to: attr.int(OnnxDataType.float32) } },
      { name: 'start', opType: 'Add', inputs: ['ids_f', 'seg_f'], outputs: ['start'] },
      { name: 'start3', opType: 'Unsqueeze', inputs: ['start', 'axis2'], outputs: ['start3'] },
      { name: 'end3', opType: 'Unsqueeze', inputs: ['mask_f', 'axis2'], outputs: ['end3'] },
      { name: 'logits', opType: 'Concat', inputs: ['start3', 'end3'], outputs: ['logits'], attributes: { axis: attr.int(2) } },
    ],
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name, elemType: 'int32' as const, shape: ['batch', 'seq'] })),
    outputs: [{ name: 'logits', elemType: 'float32', shape: ['batch', 'seq', 2] }],
    initializers: [{ name: 'axis2', dims: [1], values: BigInt64Array.of(2n) }],
  },
};
