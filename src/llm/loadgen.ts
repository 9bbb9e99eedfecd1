/**
 * The load of one level: a closed loop of N clients (each sends its next request as soon as
 * its last one ends, as ML.ENERGY's and vLLM's `--max-concurrency` benchmarks do) or an open
 * loop of Poisson arrivals at a rate (requests sent when due, whatever is in flight). The
 * request itself, the clock and sleeping are injected: the HTTP client and the run's clock in
 * a benchmark, fakes in tests.
 */
import type { Prompt } from './core/protocol.js';
import type { RequestRecord } from './core/timeline.js';
import type { StreamResult } from './io/client.js';

/** The seeded generator of the arrival times (the project's one mulberry32). */
export { mulberry32 as seededRandom } from '../seeded-random.js';

export type LevelLoad = { readonly mode: 'closed'; readonly concurrency: number } | { readonly mode: 'poisson'; readonly requestRate: number };

export interface LevelSpec {
  /** `c4` (4 clients) or `r2.5` (2.5 requests/s): the level's window name in the bundle. */
  readonly name: string;
  readonly load: LevelLoad;
  readonly requests: number;
}

export function levelName(load: LevelLoad): string {
  return load.mode === 'closed' ? `c${load.concurrency}` : `r${load.requestRate}`;
}

export interface RunLevelOptions {
  readonly level: LevelSpec;
  readonly prompts: readonly Prompt[];
  /** Prompt of the level's first request; the others follow, wrapping around the set. */
  readonly promptOffset: number;
  readonly send: (prompt: Prompt, promptIndex: number) => Promise<StreamResult>;
  readonly nowS: () => number;
  readonly sleepS: (seconds: number) => Promise<void>;
  /** Uniform in [0, 1): the Poisson arrivals' randomness (seeded in a benchmark). */
  readonly random: () => number;
  /** Checked before each dispatch: true stops sending (requests in flight end on their own or are aborted by the caller). */
  readonly stopped?: () => boolean;
  readonly onRecord?: (r: RequestRecord) => void;
}

/** Run one level; the records come back in dispatch order. */
export async function runLevel(o: RunLevelOptions): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  const n = o.level.requests;
  const promptOf = (i: number): number => (o.promptOffset + i) % o.prompts.length;
  const keep = (r: RequestRecord): void => {
    records.push(r);
    o.onRecord?.(r);
  };
  const load = o.level.load;
  if (load.mode === 'closed') {
    let next = 0;
    const client = async (c: number): Promise<void> => {
      while (next < n && o.stopped?.() !== true) {
        const index = next++;
        const p = promptOf(index);
        const result = await o.send(o.prompts[p]!, p);
        keep({ ...result, index, client: c, promptIndex: p });
      }
    };
    await Promise.all(Array.from({ length: Math.min(load.concurrency, n) }, (_, c) => client(c)));
  } else {
    const inFlight: Promise<void>[] = [];
    const start = o.nowS();
    let due = start;
    for (let index = 0; index < n; index++) {
      // Exponential gaps: a Poisson process of the given rate. The first request goes at once.
      if (index > 0) due += -Math.log(1 - o.random()) / load.requestRate;
      const wait = due - o.nowS();
      if (wait > 0) await o.sleepS(wait);
      if (o.stopped?.() === true) break;
      const p = promptOf(index);
      const scheduledS = due;
      inFlight.push(o.send(o.prompts[p]!, p).then((result) => { keep({ ...result, index, client: null, promptIndex: p, scheduledS }); }));
    }
    await Promise.all(inFlight);
  }
  return records.sort((a, b) => a.index - b.index);
}
