import { errors, isInferprintError, type InferprintError } from '../errors.js';
import type { Clock } from './types.js';

/**
 * Calls `read` every `intervalS` on a drift-free schedule (tick k is due at t0 + k·interval,
 * so slow reads do not accumulate lag), never overlapping two reads, and never blocking the
 * event loop between them. A read that throws stops the poller and reports the error once.
 */
export interface Poller {
  /** Ticks run so far. */
  readonly ticks: number;
  stop(): Promise<void>;
}

export function startPoller(
  clock: Clock,
  intervalS: number,
  read: (tS: number) => void | Promise<void>,
  onError: (e: InferprintError) => void,
  options: { readonly holdProcess?: boolean | undefined } = {},
): Poller {
  if (!(intervalS > 0)) throw errors.usage(`sampling interval must be positive, got ${intervalS}`, '--interval');
  const t0 = clock.monotonicS();
  let ticks = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = (): void => {
    if (stopped) return;
    const due = t0 + ticks * intervalS;
    const waitMs = Math.max(0, (due - clock.monotonicS()) * 1000);
    timer = setTimeout(tick, waitMs);
    // StartOptions.holdProcess: a sampler told not to hold the process leaves that to the work it measures.
    if (options.holdProcess === false) timer.unref();
  };
  const tick = (): void => {
    if (stopped) return;
    inFlight = (async () => {
      try {
        await read(clock.monotonicS());
        ticks++;
        // Skip ticks we are already late for instead of bursting to catch up.
        const behind = Math.floor((clock.monotonicS() - t0) / intervalS) + 1;
        if (behind > ticks) ticks = behind;
        schedule();
      } catch (e) {
        stopped = true;
        onError(isInferprintError(e) ? e : errors.io('sensor read', e));
      }
    })();
  };
  tick();
  return {
    get ticks() {
      return ticks;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
}
