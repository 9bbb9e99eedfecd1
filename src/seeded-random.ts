/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1), enough for reproducible
 * plans, prompts, arrivals and synthetic samples (not for anything that needs statistical
 * strength or secrecy). One copy for the whole project. Pure.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
