/**
 * The dashboard's Advise page, read-only: the workload files kept in the runs directory, and the
 * advisor's answer for one of them, computed with the runs directory as the runs store (as
 * `inferprint advise FILE --runs-dir DIR` would) plus its figures as Vega-Lite specs.
 *
 * Where workload files live: regular files directly in the runs directory named `*.yaml`,
 * `*.yml` or `*.json` (a plain name: letters, digits, `. _ + -`, no leading dot). Bundles are
 * directories, so a JSON file there is never taken for one, and every listing of runs already
 * passes over plain files; a subfolder would be listed as a folder that is not a valid bundle.
 *
 * Containment: a name from a request must be such a plain name and resolve to a regular file
 * directly in the runs directory (a symbolic link is refused, 404). Paths the file names
 * (`profiles_from`, `study.source`) are taken from the runs directory and must stay inside it,
 * with no symbolic link on the way (422 naming the key): the dashboard reads nothing outside
 * the runs directory. A file that is not a valid workload is a 422 with the advisor's one-line
 * message, file names relative to the runs directory.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { DEFAULT_DRAWS, MAX_DRAWS, type AdviceResult } from '../advise/advise.js';
import type { PreparedAdvice } from '../advise/io/load.js';
import { parseWorkloadText, type Workload } from '../advise/workload.js';
import { isInferprintError } from '../errors.js';
import { errnoCode } from '../io/fs-errors.js';
import { readRegularFile } from '../io/regular-file.js';
import type { FigureSpec } from '../report/figures.js';
import { badRequest, HttpError, notFound } from './http-error.js';

/** A workload file's name: a plain name with a YAML or JSON extension. */
export const WORKLOAD_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*\.(ya?ml|json)$/;
/** Larger is not a workload file someone wrote; it is refused rather than parsed. */
export const MAX_WORKLOAD_BYTES = 1 << 20;
/** The page waits for its answer: a tenth of the CLI's most draws (a few seconds). */
const MAX_PAGE_DRAWS = MAX_DRAWS / 10;

/**
 * A workload file's text through the project's reader: the name was looked at as a regular
 * file, and the descriptor is checked again, so a FIFO put in its place since cannot hold a
 * request (nor a link lead out of the runs directory).
 */
const readWorkload = (path: string): Promise<string> => readRegularFile(path, { links: 'refuse', what: 'workload file', maxBytes: MAX_WORKLOAD_BYTES });
/** Answers kept (a page asks for the answer and its figures: computed once). */
const CACHE_SIZE = 8;

export interface WorkloadEntry {
  readonly name: string;
  readonly sizeBytes: number;
  readonly modifiedAt: string;
  /** The file's own `name:`, when it parses (the list says which files do not). */
  readonly title: string | null;
  /** Why it does not parse, one line; null when it does. */
  readonly error: string | null;
}

export interface AdviseQuery {
  readonly draws: number;
  readonly seed: number;
}

const ALLOWED = ['draws', 'seed', 'token'];

/** `?draws=&seed=`: whole numbers; anything else is a 400 naming the parameter. */
export function parseAdviseQuery(q: URLSearchParams): AdviseQuery {
  for (const key of q.keys()) if (!ALLOWED.includes(key)) throw badRequest(`unknown query parameter '${key}' (expected draws, seed)`);
  const int = (key: string, max: number, fallback: number): number => {
    const all = q.getAll(key);
    if (all.length > 1) throw badRequest(`query parameter '${key}' given ${all.length} times (expected once)`);
    const raw = all[0];
    if (raw === undefined) return fallback;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) > max) throw badRequest(`query parameter '${key}' must be a whole number from 0 to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`);
    return Number(raw);
  };
  return { draws: int('draws', MAX_PAGE_DRAWS, DEFAULT_DRAWS), seed: int('seed', 0xffffffff, 1) };
}

interface Cached {
  readonly stamp: string;
  readonly answer: Promise<{ prepared: PreparedAdvice; figures: FigureSpec[] }>;
}

export class AdviseData {
  #real: string | undefined;
  readonly #cache = new Map<string, Cached>();

  constructor(readonly runsDir: string) {}

  private async real(): Promise<string | undefined> {
    if (this.#real !== undefined) return this.#real;
    try {
      return (this.#real = await realpath(this.runsDir));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Messages name files relative to the runs directory. */
  private relativeTo(message: string, real: string): string {
    return message.split(real + sep).join('').split(this.runsDir + sep).join('').split(real).join('the runs directory').split(this.runsDir).join('the runs directory');
  }

  /** The workload files of the runs directory, by name. */
  async list(): Promise<{ readonly workloads: readonly WorkloadEntry[]; readonly where: string }> {
    const where = 'regular files directly in the runs directory named *.yaml, *.yml or *.json';
    const real = await this.real();
    if (real === undefined) return { workloads: [], where };
    const entries = await readdir(real, { withFileTypes: true });
    const out: WorkloadEntry[] = [];
    for (const d of entries) {
      // Regular files only: a symbolic link could point anywhere.
      if (!d.isFile() || !WORKLOAD_NAME.test(d.name)) continue;
      const path = join(real, d.name);
      let st;
      try {
        st = await stat(path);
      } catch {
        continue;
      }
      let title: string | null = null;
      let error: string | null = null;
      if (st.size > MAX_WORKLOAD_BYTES) error = `larger than ${MAX_WORKLOAD_BYTES} bytes`;
      else {
        try {
          title = parseWorkloadText(await readWorkload(path), d.name).name ?? null;
        } catch (e) {
          if (!isInferprintError(e)) throw e;
          error = this.relativeTo(e.message, real);
        }
      }
      out.push({ name: d.name, sizeBytes: st.size, modifiedAt: st.mtime.toISOString(), title, error });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { workloads: out, where };
  }

  /** The real path of workload `name`: a regular file directly in the runs directory, not a link. */
  private async fileOf(name: string): Promise<{ path: string; real: string; size: number; mtimeMs: number }> {
    if (!WORKLOAD_NAME.test(name)) throw badRequest(`invalid workload file name ${JSON.stringify(name.slice(0, 80))}: a plain name ending in .yaml, .yml or .json`);
    const real = await this.real();
    if (real === undefined) throw notFound(`no workload file ${name}: the runs directory does not exist`);
    const path = join(real, name);
    let st;
    try {
      st = await lstat(path);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw notFound(`no workload file ${name} in the runs directory`);
      throw e;
    }
    if (st.isSymbolicLink() || !st.isFile()) throw notFound(`no workload file ${name} in the runs directory (${st.isSymbolicLink() ? 'a symbolic link is not followed' : 'not a regular file'})`);
    if (st.size > MAX_WORKLOAD_BYTES) throw new HttpError(422, `${name} is larger than ${MAX_WORKLOAD_BYTES} bytes: not a workload file`);
    return { path, real, size: st.size, mtimeMs: st.mtimeMs };
  }

  /**
   * Every path the workload names (`profiles_from`, `study.source`), from the runs directory: it
   * must stay inside it, with no symbolic link on the way.
   */
  private async contained(w: Workload, real: string): Promise<void> {
    const named: { key: string; path: string }[] = [
      ...w.profilesFrom.map((p, i) => ({ key: w.profilesFrom.length > 1 ? `profiles_from[${i}]` : 'profiles_from', path: p })),
      ...(w.study?.source !== undefined ? [{ key: 'study.source', path: w.study.source }] : []),
    ];
    for (const { key, path } of named) {
      const full = resolve(real, path);
      const inside = (p: string): boolean => p === real || p.startsWith(real + sep);
      const refuse = (why: string): never => {
        throw new HttpError(422, `${w.file}: ${key} ${JSON.stringify(path)} ${why}: the dashboard reads only inside the runs directory (run inferprint advise for data elsewhere)`);
      };
      if (!inside(full)) refuse(isAbsolute(path) ? 'is outside the runs directory' : 'leaves the runs directory');
      let resolved: string;
      try {
        resolved = await realpath(full);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') throw new HttpError(422, `${w.file}: ${key} ${JSON.stringify(path)} does not exist in the runs directory`);
        throw e;
      }
      if (resolved !== full) refuse(inside(resolved) ? 'goes through a symbolic link' : 'leads outside the runs directory through a symbolic link');
    }
  }

  private async prepare(name: string, q: AdviseQuery): Promise<{ prepared: PreparedAdvice; figures: FigureSpec[] }> {
    const f = await this.fileOf(name);
    let dirStamp = '';
    try {
      dirStamp = String((await stat(f.real)).mtimeMs);
    } catch {
      // Gone since: the computation below says so.
    }
    // The answer depends on the file and on the runs store (measured profiles): both in the stamp.
    const stamp = `${f.mtimeMs}:${f.size}:${dirStamp}:${q.draws}:${q.seed}`;
    const key = `${name}\u0000${q.draws}\u0000${q.seed}`;
    const hit = this.#cache.get(key);
    if (hit && hit.stamp === stamp) return hit.answer;
    const answer = this.compute(name, f.path, f.real, q);
    this.#cache.delete(key);
    this.#cache.set(key, { stamp, answer });
    while (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    // A failure is not kept: the next request tries again (the user may be fixing the file).
    answer.catch(() => {
      if (this.#cache.get(key)?.answer === answer) this.#cache.delete(key);
    });
    return answer;
  }

  private async compute(name: string, path: string, real: string, q: AdviseQuery): Promise<{ prepared: PreparedAdvice; figures: FigureSpec[] }> {
    try {
      const w = parseWorkloadText(await readWorkload(path), name);
      await this.contained(w, real);
      // The advisor's readers (datasets, the runs store) load with the first answer, not with the server.
      const { prepareAdvice } = await import('../advise/io/load.js');
      const prepared = await prepareAdvice(w, { cwd: real, runsDir: real, runsDirShown: 'the runs directory', draws: q.draws, seed: q.seed });
      // The report layer's figure builders load with the first answer (they pull in no renderer).
      const [{ adviseFigures }, { breakEven }] = await Promise.all([import('../report/advise-figures.js'), import('../advise/break-even.js')]);
      return { prepared, figures: adviseFigures(prepared.result, breakEven(prepared.workload, prepared.resolved)) };
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (!isInferprintError(e) || e.code === 'INTERNAL') throw e;
      throw new HttpError(422, this.relativeTo(e.message, real));
    }
  }

  /** `GET /api/advise/:name`: the advisor's answer (the `--format json` contract). */
  async advice(name: string, q: AdviseQuery): Promise<AdviceResult> {
    return (await this.prepare(name, q)).prepared.result;
  }

  /** `GET /api/advise/:name/figures`: the report's figures as Vega-Lite specs, data inline. */
  async figures(name: string, q: AdviseQuery): Promise<{ readonly figures: readonly FigureSpec[] }> {
    return { figures: (await this.prepare(name, q)).figures };
  }
}
