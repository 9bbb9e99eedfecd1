/**
 * CPU model names as `/proc/cpuinfo` writes them, matched against the CPU table
 * (data/sources/cpu-tdp.csv). One matcher serves both users of that table: the `estimate`
 * sensor's power model (TDP per core) and the hardware database (which CPU entry, or which
 * generic class, a host's CPU resolves to). Pure.
 */

/** The classes a CPU falls in: they decide the generic entry and, through it, the PUE category. */
export type CpuClass = 'server' | 'desktop' | 'laptop';
export const CPU_CLASSES: readonly CpuClass[] = ['server', 'desktop', 'laptop'];

/**
 * Lower-case, drop trademarks, clock speed, core counts and the filler words vendors put in
 * `/proc/cpuinfo` model names, so `Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz` becomes
 * `intel xeon e5-2698 v4` and `AMD EPYC 7763 64-Core Processor` becomes `amd epyc 7763`.
 */
export function normaliseCpuModel(name: string): string {
  return name
    .toLowerCase()
    .replace(/\((r|tm)\)|®|™/g, ' ')
    .replace(/@\s*[\d.]+\s*[gm]hz/g, ' ')
    .replace(/\b\d+-cores?\b/g, ' ')
    .replace(/\b(cpu|processor)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const WORD_BEFORE = /[a-z0-9]/;
const WORD_AFTER = /[a-z0-9+]/;

/** Whether `pattern` occurs in `normalised` as whole words (`epyc 7763` is not in `epyc 77630`, `8480` not in `8480+`). */
export function occursAsWords(normalised: string, pattern: string): boolean {
  for (let at = normalised.indexOf(pattern); at >= 0; at = normalised.indexOf(pattern, at + 1)) {
    const before = at > 0 ? normalised.charAt(at - 1) : '';
    const after = normalised.charAt(at + pattern.length);
    if (!WORD_BEFORE.test(before) && !WORD_AFTER.test(after)) return true;
  }
  return false;
}

/** The row whose `pattern` (a normalised model) occurs in the name as whole words; the longest wins; undefined when none. */
export function matchCpuPattern<T extends { readonly pattern: string }>(modelName: string, rows: readonly T[]): T | undefined {
  const normalised = normaliseCpuModel(modelName);
  let best: T | undefined;
  for (const row of rows) {
    if (occursAsWords(normalised, row.pattern) && (best === undefined || row.pattern.length > best.pattern.length)) best = row;
  }
  return best;
}

/**
 * Family words that make a name a server CPU: the x86 and Arm server lines, and the names
 * hypervisors give virtual CPUs (a VM runs in a data centre far more often than not).
 */
const SERVER_WORDS = ['xeon', 'epyc', 'opteron', 'ampere', 'altra', 'graviton', 'neoverse', 'thunderx', 'thunderx2', 'kunpeng', 'qemu', 'kvm', 'virtual'];
/** Desktop and workstation lines (a laptop part is told apart by its suffix, below). */
const CLIENT_WORDS = ['core', 'ryzen', 'threadripper', 'pentium', 'celeron', 'athlon', 'phenom', 'apple'];
/**
 * Mobile suffixes of the model number: Intel U/Y/H/HK/HX/P/G1-G7 (`i7-8565U`, `i7-1165G7`,
 * `Core Ultra 7 155H`), AMD U/H/HS/HX (`Ryzen 7 5800U`, `7840HS`).
 */
const LAPTOP_MODEL = /\b(?:i[3579]-\d{4,5}|ultra [3579] \d{3}|ryzen [3579] (?:pro )?\d{4})(?:u|y|h|hk|hs|hx|p|g\d)\b/;

/**
 * Which class a CPU name belongs to, from its family name alone: `server` for Xeon, EPYC,
 * Arm server parts and virtual CPUs; `laptop` for a mobile model number; `desktop` for the
 * other client lines. Undefined when the name is not recognisably a CPU (so GPU names and
 * typos never turn into a CPU).
 */
export function classifyCpuName(name: string): CpuClass | undefined {
  const n = normaliseCpuModel(name);
  const words = new Set(n.split(/[^a-z0-9+]+/).filter((w) => w !== ''));
  if (SERVER_WORDS.some((w) => words.has(w))) return 'server';
  if (LAPTOP_MODEL.test(n)) return 'laptop';
  if (CLIENT_WORDS.some((w) => words.has(w))) return 'desktop';
  return undefined;
}
