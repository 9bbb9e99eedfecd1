/**
 * The cache of generated synthetic models, and the resolution of a `--model` value to a file.
 *
 * Where: `--cache-dir DIR` (when a command offers it), else `$INFERPRINT_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/inferprint/models`, else `~/.cache/inferprint/models`. Generated models are a
 * cache in the XDG sense (regenerable, safe to delete), so they do not belong with the runs.
 *
 * Layout: one directory per entry, named by its key (preset, seed, tensor naming, generator
 * version), holding `model.onnx` and `manifest.json`. An entry is written into a hidden temporary
 * sibling and renamed into place, so a reader never sees a half-written model, and a crash leaves
 * only a temporary that a later generation removes. An entry that fails validation (manifest
 * missing or different, size or SHA-256 not matching) is deleted and regenerated.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { errors, isInferprintError } from '../../../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../../../version.js';
import { writeOnnxModel } from '../onnx-writer.js';
import {
  BERT_PRESETS,
  bertParameterCount,
  DEFAULT_SYNTHETIC_SEED,
  isBertPresetName,
  normaliseSeed,
  SYNTHETIC_BERT_GENERATOR_VERSION,
  syntheticBertBytes,
  syntheticBertModel,
  type BertConfig,
  type BertIoNaming,
  type BertPresetName,
  type SyntheticBertOptions,
} from '../synthetic.js';
import { errnoCode } from '../../../io/fs-errors.js';

export const CACHE_DIR_ENV = 'INFERPRINT_CACHE_DIR';
const MANIFEST_SCHEMA = 1;
const MODEL_FILE = 'model.onnx';
const MANIFEST_FILE = 'manifest.json';

export interface CacheDirInputs {
  /** Value of a `--cache-dir` flag, when given. */
  readonly flag?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory (default `os.homedir()`); injected by tests. */
  readonly home?: string;
  /** Base for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
}

export interface ResolvedCacheDir {
  readonly path: string;
  readonly source: 'flag' | 'env' | 'xdg' | 'default';
}

/** The model cache directory and which rule chose it. Nothing is created. */
export function resolveModelCacheDir(inputs: CacheDirInputs): ResolvedCacheDir {
  const cwd = inputs.cwd ?? process.cwd();
  if (inputs.flag !== undefined) {
    if (inputs.flag.trim() === '') throw errors.usage('give a directory', '--cache-dir');
    return { path: resolve(cwd, inputs.flag), source: 'flag' };
  }
  // An empty variable counts as unset; a relative XDG_CACHE_HOME is invalid per the XDG spec.
  const fromEnv = inputs.env[CACHE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { path: resolve(cwd, fromEnv), source: 'env' };
  const xdg = inputs.env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return { path: join(xdg, 'inferprint', 'models'), source: 'xdg' };
  return { path: join(inputs.home ?? homedir(), '.cache', 'inferprint', 'models'), source: 'default' };
}

/** What `manifest.json` of a cache entry records. */
export interface SyntheticModelManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly kind: 'synthetic-bert';
  readonly key: string;
  readonly preset: BertPresetName;
  /** Decimal string: seeds may exceed 2^53. */
  readonly seed: string;
  readonly io: BertIoNaming;
  readonly generatorVersion: number;
  readonly config: BertConfig;
  readonly parameters: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly createdAt: string;
  readonly generationS: number;
  /** Tool and version that wrote the entry. */
  readonly tool: string;
}

export interface CachedModel {
  /** Absolute path of `model.onnx`. */
  readonly path: string;
  readonly key: string;
  /** True when this call wrote the model; false when a valid cached one was reused. */
  readonly generated: boolean;
  readonly manifest: SyntheticModelManifest;
}

export interface EnsureModelOptions {
  readonly cacheDir: string;
  /**
   * How a cached entry is checked before reuse: `sha256` (default) hashes the file (about a
   * second per GB; the file is read by ONNX Runtime right after, so it is then in the page cache);
   * `size` trusts the manifest, the file size and the atomic write.
   */
  readonly verify?: 'sha256' | 'size';
  /** Told while generating: bytes written and the total. */
  readonly onProgress?: (writtenBytes: number, totalBytes: number) => void;
  /** Told why a cached entry was discarded before it is regenerated. */
  readonly onInvalid?: (dir: string, reason: string) => void;
  /** Wall clock for `createdAt` (default `new Date()`); monotonic time is used for durations. */
  readonly now?: () => Date;
}

/** The options that make up the key, and nothing else (callers may pass wider objects). */
function keyed(opts: SyntheticBertOptions): SyntheticBertOptions {
  return { preset: opts.preset, seed: normaliseSeed(opts.seed ?? DEFAULT_SYNTHETIC_SEED), io: opts.io ?? 'mlperf' };
}

/** The cache key: everything that changes the bytes of the model. */
export function syntheticModelKey(opts: SyntheticBertOptions): string {
  const seed = normaliseSeed(opts.seed ?? DEFAULT_SYNTHETIC_SEED);
  return `synthetic-${opts.preset}-seed${seed}-${opts.io ?? 'mlperf'}-g${SYNTHETIC_BERT_GENERATOR_VERSION}`;
}

/**
 * The path of a synthetic model, generating and caching it if no valid entry exists. bert-large
 * is 1.34 GB: it is written in 4 MiB chunks, so memory stays flat during generation.
 */
export async function ensureSyntheticModel(opts: SyntheticBertOptions, cache: EnsureModelOptions): Promise<CachedModel> {
  const key = syntheticModelKey(opts);
  const dir = join(cache.cacheDir, key);
  const existing = await validEntry(dir, key, opts, cache);
  if (existing !== undefined) return { path: join(dir, MODEL_FILE), key, generated: false, manifest: existing };

  await mkdirOrThrow(cache.cacheDir);
  await removeStaleTemps(cache.cacheDir);
  const tmp = join(cache.cacheDir, `.${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdirOrThrow(tmp);
    const manifest = await generateInto(tmp, key, opts, cache);
    try {
      await rename(tmp, dir);
    } catch (e) {
      // Another process finished the same entry first: theirs is as good as ours.
      if (errnoCode(e) !== 'ENOTEMPTY' && errnoCode(e) !== 'EEXIST') throw errors.io(dir, e);
      await rm(tmp, { recursive: true, force: true });
      const theirs = await validEntry(dir, key, opts, { ...cache, verify: 'size' });
      if (theirs === undefined) throw errors.io(dir, 'cache entry appeared while generating but is not valid; remove it and retry');
      return { path: join(dir, MODEL_FILE), key, generated: false, manifest: theirs };
    }
    return { path: join(dir, MODEL_FILE), key, generated: true, manifest };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw isInferprintError(e) ? e : errors.io(tmp, e);
  }
}

/** What `ensureSyntheticModel` would do, found without writing or deleting anything. */
export interface SyntheticModelPeek {
  readonly key: string;
  /** Where the model is, or will be once generated. */
  readonly path: string;
  /** Size of the ONNX file, exact (computed from the preset: nothing is generated to know it). */
  readonly bytes: number;
  /** A valid entry is there (manifest and file size checked, as `verify: 'size'` does). */
  readonly cached: boolean;
}

/** Whether a synthetic model is cached, and its size: for a plan printed before anything is written. */
export async function peekSyntheticModel(opts: SyntheticBertOptions, cacheDir: string): Promise<SyntheticModelPeek> {
  const key = syntheticModelKey(opts);
  const dir = join(cacheDir, key);
  const bytes = syntheticBertBytes(keyed(opts));
  let manifestText: string | undefined;
  try {
    manifestText = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw errors.io(join(dir, MANIFEST_FILE), e);
  }
  const cached = manifestText !== undefined && typeof (await invalidReason(dir, key, manifestText, opts, 'size')) !== 'string';
  return { key, path: join(dir, MODEL_FILE), bytes, cached };
}

async function generateInto(tmp: string, key: string, opts: SyntheticBertOptions, cache: EnsureModelOptions): Promise<SyntheticModelManifest> {
  const startMs = performance.now();
  const modelPath = join(tmp, MODEL_FILE);
  const hash = createHash('sha256');
  const fh = await open(modelPath, 'w');
  let bytes: number;
  try {
    bytes = await writeOnnxModel(syntheticBertModel(keyed(opts)), {
      write: async (chunk) => {
        hash.update(chunk);
        let at = 0;
        while (at < chunk.length) at += (await fh.write(chunk, at, chunk.length - at)).bytesWritten;
      },
    }, cache.onProgress ? { onProgress: cache.onProgress } : {});
    // Durable before the rename publishes it: a crash must not leave a named, zero-filled model.
    await fh.sync();
  } finally {
    await fh.close();
  }
  const config = BERT_PRESETS[opts.preset];
  const manifest: SyntheticModelManifest = {
    schema: MANIFEST_SCHEMA,
    kind: 'synthetic-bert',
    key,
    preset: opts.preset,
    seed: normaliseSeed(opts.seed ?? DEFAULT_SYNTHETIC_SEED).toString(),
    io: opts.io ?? 'mlperf',
    generatorVersion: SYNTHETIC_BERT_GENERATOR_VERSION,
    config,
    parameters: bertParameterCount(config),
    bytes,
    sha256: hash.digest('hex'),
    createdAt: (cache.now?.() ?? new Date()).toISOString(),
    generationS: (performance.now() - startMs) / 1000,
    tool: `${TOOL_NAME} ${TOOL_VERSION}`,
  };
  await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The entry's manifest when the entry is valid; undefined (after removing it) when it is not. */
async function validEntry(dir: string, key: string, opts: SyntheticBertOptions, cache: EnsureModelOptions): Promise<SyntheticModelManifest | undefined> {
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw errors.io(join(dir, MANIFEST_FILE), e);
    // No manifest: either no entry at all, or a directory someone else left there.
    if (await exists(dir)) await discard(dir, 'manifest.json is missing', cache);
    return undefined;
  }
  const reason = await invalidReason(dir, key, manifestText, opts, cache.verify ?? 'sha256');
  if (typeof reason !== 'string') return reason;
  await discard(dir, reason, cache);
  return undefined;
}

async function invalidReason(dir: string, key: string, manifestText: string, opts: SyntheticBertOptions, verify: 'sha256' | 'size'): Promise<string | SyntheticModelManifest> {
  let m: unknown;
  try {
    m = JSON.parse(manifestText);
  } catch {
    return 'manifest.json is not JSON';
  }
  if (typeof m === 'object' && m !== null && 'schema' in m && m.schema !== MANIFEST_SCHEMA) return `manifest schema ${String(m.schema)}, expected ${MANIFEST_SCHEMA}`;
  if (!isManifest(m)) return 'manifest.json lacks required fields';
  if (m.key !== key || m.generatorVersion !== SYNTHETIC_BERT_GENERATOR_VERSION) return `manifest is for ${m.key}, generator ${m.generatorVersion}`;
  const expectedBytes = syntheticBertBytes(keyed(opts));
  if (m.bytes !== expectedBytes) return `manifest says ${m.bytes} bytes, the generator writes ${expectedBytes}`;
  let size: number;
  try {
    size = (await stat(join(dir, MODEL_FILE))).size;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 'model.onnx is missing';
    throw errors.io(join(dir, MODEL_FILE), e);
  }
  if (size !== expectedBytes) return `model.onnx is ${size} bytes, expected ${expectedBytes}`;
  if (verify === 'sha256') {
    const digest = await sha256File(join(dir, MODEL_FILE));
    if (digest !== m.sha256) return `model.onnx SHA-256 ${digest.slice(0, 12)}… differs from the manifest's ${m.sha256.slice(0, 12)}…`;
  }
  return m;
}

function isManifest(v: unknown): v is SyntheticModelManifest {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.schema === 'number' &&
    o.kind === 'synthetic-bert' &&
    typeof o.key === 'string' &&
    typeof o.preset === 'string' &&
    isBertPresetName(o.preset) &&
    typeof o.seed === 'string' &&
    typeof o.io === 'string' &&
    typeof o.generatorVersion === 'number' &&
    typeof o.config === 'object' &&
    o.config !== null &&
    typeof o.parameters === 'number' &&
    typeof o.bytes === 'number' &&
    typeof o.sha256 === 'string' &&
    typeof o.createdAt === 'string' &&
    typeof o.generationS === 'number' &&
    typeof o.tool === 'string'
  );
}

async function discard(dir: string, reason: string, cache: EnsureModelOptions): Promise<void> {
  cache.onInvalid?.(dir, reason);
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (e) {
    throw errors.io(dir, e);
  }
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  } catch (e) {
    throw errors.io(path, e);
  }
  return hash.digest('hex');
}

/** Temporaries of crashed generations, older than an hour (a live writer may be filling a younger one). */
async function removeStaleTemps(cacheDir: string, olderThanMs = 60 * 60 * 1000): Promise<void> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch (e) {
    throw errors.io(cacheDir, e);
  }
  for (const name of names) {
    if (!/^\..+\.tmp-\d+-[0-9a-f]+$/.test(name)) continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs >= olderThanMs) await rm(path, { recursive: true, force: true });
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw errors.io(path, e);
    }
  }
}

async function mkdirOrThrow(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (e) {
    throw errors.io(path, e);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw errors.io(path, e);
  }
}


// ---- `--model` values ----

/** A `--model` value: `synthetic:<preset>` or a path to an ONNX file. */
export type ModelSpec = { readonly kind: 'synthetic'; readonly preset: BertPresetName } | { readonly kind: 'file'; readonly path: string };

export const SYNTHETIC_PREFIX = 'synthetic:';

/** Parse a `--model` value (nothing is read from disk). */
export function parseModelSpec(value: string, flag = '--model'): ModelSpec {
  if (value.startsWith(SYNTHETIC_PREFIX)) {
    const preset = value.slice(SYNTHETIC_PREFIX.length);
    if (!isBertPresetName(preset)) throw errors.usage(`unknown synthetic model ${JSON.stringify(preset)} (expected one of ${Object.keys(BERT_PRESETS).join(', ')})`, flag);
    return { kind: 'synthetic', preset };
  }
  if (value.trim() === '') throw errors.usage('give synthetic:<preset> or a path to an .onnx file', flag);
  return { kind: 'file', path: value };
}

export type ResolvedModel =
  | { readonly kind: 'file'; readonly path: string }
  | ({ readonly kind: 'synthetic' } & CachedModel);

export interface ResolveModelOptions extends EnsureModelOptions {
  readonly seed?: bigint | number;
  readonly io?: BertIoNaming;
  /** Base for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
}

/** The ONNX file a model spec names: the user's file (checked to exist) or a cached synthetic model. */
export async function resolveModel(spec: ModelSpec, opts: ResolveModelOptions): Promise<ResolvedModel> {
  if (spec.kind === 'file') {
    const path = resolve(opts.cwd ?? process.cwd(), spec.path);
    if (!(await exists(path))) throw errors.notFound(path, 'model file');
    return { kind: 'file', path };
  }
  const cached = await ensureSyntheticModel({ preset: spec.preset, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.io ? { io: opts.io } : {}) }, opts);
  return { kind: 'synthetic', ...cached };
}
