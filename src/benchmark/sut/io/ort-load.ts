/**
 * `onnxruntime-node`, loaded on first use. It is 288 MB of a 475 MB install and only `bench`
 * (the ONNX Runtime SUT), `serve-model` and the LLM server's synthetic decoder run it, so it is an
 * optional dependency (ADR 0016) and nothing outside this module and the session's worker thread
 * imports it at run time: `analyze`, `measure`, `report` and the library load without it. When it
 * is missing, the command that needs it fails with one line saying how to install it.
 */
import type * as OrtModule from 'onnxruntime-node';
import { errors } from '../../../errors.js';

export type Ort = typeof OrtModule;

export const ORT_PACKAGE = 'onnxruntime-node';
/** What to run to get it back; `--omit=optional` (or a failed optional install) is how it goes missing. */
export const ORT_INSTALL_HINT = `npm install ${ORT_PACKAGE} (or reinstall inferprint without --omit=optional)`;

let loaded: Promise<Ort> | undefined;

/**
 * Node's "not found" for this package itself: a missing dependency *of* the package, or a native
 * binding that fails to load, is another problem and keeps its own message.
 */
function isPackageMissing(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND') return false;
  const message = e instanceof Error ? e.message : '';
  return message.includes(`'${ORT_PACKAGE}'`);
}

/**
 * The `onnxruntime-node` module. Throws `DEPENDENCY_MISSING` when the package is not installed;
 * `purpose` names what needed it. A failure is not cached: installing it while a process runs
 * (a dashboard, a test) lets the next call succeed.
 */
export function loadOrt(purpose = 'the ONNX Runtime system under test'): Promise<Ort> {
  // The literal, not ORT_PACKAGE: TypeScript types a dynamic import only from a literal.
  loaded ??= import('onnxruntime-node').then(
    (m) => m,
    (e: unknown) => {
      loaded = undefined;
      if (isPackageMissing(e)) throw errors.dependencyMissing(ORT_PACKAGE, purpose, ORT_INSTALL_HINT);
      throw e;
    },
  );
  return loaded;
}
