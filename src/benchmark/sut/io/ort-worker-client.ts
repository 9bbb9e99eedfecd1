/**
 * The spawning side of the ONNX Runtime worker (`ort-worker.ts`): starts it, matches replies to
 * requests, and turns a worker that stops unasked into one coded error for every request still
 * waiting and every later one.
 *
 * The worker holds the process open only while a request is waiting, like a session in this
 * thread would: a program that forgets `close()` still exits.
 */
import { Worker } from 'node:worker_threads';
import { errors, type InferprintError } from '../../../errors.js';
import { READY_ID, rebuildError, transportError, type OrtReplies, type OrtReplyMessage, type OrtRequest } from '../ort-protocol.js';

interface Waiting {
  resolve(reply: unknown): void;
  reject(error: InferprintError): void;
}

/**
 * The worker's entry next to this module: `.js` in the build, `.ts` from source.
 *
 * The worker starts from a one-line script that imports the entry, rather than from the file
 * itself, because a worker inherits the parent's Node options and `--input-type` (from
 * `node --input-type=module -e ...`) stops a worker whose entry is a file; passing a filtered
 * `execArgv` instead would refuse process-wide options such as `--max-old-space-size`. From
 * source, the script first registers tsx's module hooks: Node 20 does not carry the hooks of
 * `--import tsx` into worker threads.
 */
export function spawnOrtWorker(): Worker {
  const self = import.meta.url;
  const fromSource = self.endsWith('.ts');
  const entry = JSON.stringify(new URL(fromSource ? './ort-worker.ts' : './ort-worker.js', self).href);
  // The script is valid both as CommonJS and as a module, whatever `--input-type` says.
  let bootstrap = `import(${entry});`;
  if (fromSource) {
    try {
      const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
      bootstrap = `import(${tsx}).then((api) => { api.register(); return import(${entry}); });`;
    } catch {
      // No tsx: another loader (or a Node that strips types itself) may still handle the file.
    }
  }
  return new Worker(bootstrap, { eval: true });
}

export class OrtWorker {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = READY_ID + 1;
  /** Why requests fail from now on (the worker stopped unasked, or the session was closed). */
  private stopped: InferprintError | undefined;
  /** The uncaught error that is about to stop the worker, if that is how it stops. */
  private crash: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly modelPath: string,
    ready: Waiting,
  ) {
    this.waiting.set(READY_ID, ready);
    worker.on('message', (m: OrtReplyMessage) => {
      this.settle(m);
    });
    worker.on('error', (e) => {
      this.crash ??= e.message;
    });
    worker.on('messageerror', (e) => {
      this.crash ??= `a reply could not be read (${e.message})`;
    });
    worker.on('exit', (code) => {
      this.exited(code);
    });
  }

  /** Starts a worker and waits until it listens. `spawn` is for tests that stand in a worker of their own. */
  static start(modelPath: string, spawn: () => Worker = spawnOrtWorker): Promise<OrtWorker> {
    let worker: Worker;
    try {
      worker = spawn();
    } catch (e) {
      return Promise.reject(errors.invalidValue({ file: modelPath }, `could not start the ONNX Runtime worker thread: ${e instanceof Error ? e.message : String(e)}`));
    }
    return new Promise<OrtWorker>((resolve, reject) => {
      const client: OrtWorker = new OrtWorker(worker, modelPath, {
        resolve: () => {
          resolve(client);
        },
        reject,
      });
    });
  }

  /** Sends a request; the reply comes back in order after those sent before it. */
  request<K extends OrtRequest['kind']>(request: Extract<OrtRequest, { kind: K }>, transfer: readonly ArrayBuffer[] = []): Promise<OrtReplies[K]> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    if (this.closing !== undefined && request.kind !== 'release') return Promise.reject(errors.invalidValue({ file: this.modelPath }, 'the ONNX Runtime session is closed'));
    const id = this.nextId++;
    return new Promise<OrtReplies[K]>((resolve, reject) => {
      this.wait(id, { resolve: (reply) => { resolve(reply as OrtReplies[K]); }, reject });
      try {
        this.worker.postMessage({ id, request }, [...transfer]);
      } catch (e) {
        // Nothing was sent (e.g. a buffer that cannot be transferred): no reply will come.
        this.settle({ id, ok: false, error: transportError(e) });
      }
    });
  }

  /** Releases the session after the requests already sent, then ends the thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped === undefined) {
        try {
          await this.request({ kind: 'release' });
        } catch {
          // A worker that cannot release its session is ended all the same.
        }
      }
      this.stopped ??= errors.invalidValue({ file: this.modelPath }, 'the ONNX Runtime session is closed');
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private wait(id: number, w: Waiting): void {
    // Keep the process alive only while a reply is owed.
    if (this.waiting.size === 0) this.worker.ref();
    this.waiting.set(id, w);
  }

  private settle(m: OrtReplyMessage): void {
    const w = this.waiting.get(m.id);
    if (w === undefined) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (m.ok) w.resolve(m.reply);
    else w.reject(rebuildError(m.error));
  }

  private exited(code: number): void {
    const why = this.crash ?? `exit code ${code}`;
    this.stopped ??= errors.invalidValue({ file: this.modelPath }, `the ONNX Runtime worker thread stopped (${why})`);
    for (const w of this.waiting.values()) w.reject(this.stopped);
    this.waiting.clear();
  }
}
