/**
 * One colour per device series, the same in every figure and table of a report. Colours are
 * handed out in sorted series order from a fixed list, so a report of the same devices always
 * draws them in the same colours, whichever input came first. Pure.
 *
 * The list is Tableau 10 followed by its lighter companions (Tableau 20): colour-blind
 * friendly enough for up to ten series, and readable on white when printed. Beyond twenty
 * series the list repeats; the series name in every legend still tells them apart.
 */
export const SERIES_PALETTE: readonly string[] = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#b279a2',
  '#72b7b2',
  '#9d755d',
  '#eeca3b',
  '#ff9da6',
  '#bab0ac',
  '#9ecae9',
  '#ffbf79',
  '#88d27a',
  '#ff9d98',
  '#d6a5c9',
  '#b7d6d3',
  '#d8b5a5',
  '#f2cf5b',
  '#fcbfd2',
  '#79706e',
];

/** Sort by code point (not locale): the order must not depend on the machine's ICU data. */
export function sortSeries(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Colour of each series, keyed by name, assigned in sorted order. */
export function seriesColours(names: Iterable<string>): ReadonlyMap<string, string> {
  return new Map(sortSeries(names).map((name, i) => [name, SERIES_PALETTE[i % SERIES_PALETTE.length]!]));
}

/**
 * Neutral colours for what is not a device (processor vs memory, phase windows). A whisker is
 * drawn twice, a wide halo under a thin line: whatever it crosses (a dark or light bar, a
 * series colour, white), one of the two contrasts with it.
 */
export const NEUTRAL = {
  processor: '#4d4d4d',
  memory: '#a6a6a6',
  window: '#999999',
  front: '#222222',
  whisker: '#000000',
  whiskerHalo: '#ffffff',
} as const;
