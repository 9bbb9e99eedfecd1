/**
 * Every numeric fact in data/sources/ has a source, and `npm run data -- --check` fails when
 * one is missing: the generator is run on an edited copy of the tables (`--sources DIR`),
 * never on the real ones.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = join(ROOT, 'data', 'sources');
const hasEmber = existsSync(resolve(ROOT, 'node_modules/@tgwf/co2'));
const skip = hasEmber ? false : '@tgwf/co2 (devDependency) not installed';

let dir = '';

function check(): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'data/generate.ts', '--check', '--sources', dir], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Replace the first occurrence of `from` in a copied table (the test fails if it is not there). */
function edit(table: string, from: string, to: string): () => void {
  const path = join(dir, table);
  const original = readFileSync(path, 'utf8');
  assert.ok(original.includes(from), `${table} has no ${JSON.stringify(from)}`);
  writeFileSync(path, original.replace(from, to));
  return () => { writeFileSync(path, original); };
}

void describe('npm run data -- --check: a numeric fact without a source fails', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inferprint-sources-'));
    cpSync(SOURCES, dir, { recursive: true });
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  void it('the unedited copy passes (the generated files match it)', () => {
    const r = check();
    assert.equal(r.status, 0, r.out);
  });

  const CASES: readonly [string, string, string, RegExp][] = [
    // hardware.csv: a fact with no reference (the default `*=` removed for the L40S row)
    ['hardware.csv', '*=nv-l40s-ds;', '', /hardware\.csv:\d+ .*sources.*no source for the numeric fact\(s\) memory_gb=48, memory_type=GDDR6, tdp_w=350/],
    // hardware.csv: a reference that is not in references.csv
    ['hardware.csv', 'year=nv-l40s-launch', 'year=nv-nowhere', /reference 'nv-nowhere' is not in references\.csv/],
    // pue.csv: a PUE value whose source cell is emptied
    ['pue.csv', '"Uptime Institute Global Data Center Survey 2024 (industry average PUE 1.56, also the default of Green Algorithms v3.0)"', '', /pue\.csv:\d+ .*source.*no source for the numeric fact\(s\) value=1\.56/],
    // idle-power.csv: an idle figure without its source
    ['idle-power.csv', '"a public nvidia-smi snapshot of a cloud H100 80GB HBM3 (SXM): 75 W at P0, 0 % utilisation"', '', /idle-power\.csv:\d+ .*idle_source.*idle_w=75/],
    // memory-factors.csv: the study's factor without its source
    ['memory-factors.csv', 'GDDR5,360,0.137,,DDR3,,"Simeu 2025, Doc/mem_density.csv (thesis Table 4.1)"', 'GDDR5,360,0.137,,DDR3,,', /memory-factors\.csv:\d+ .*no source for the numeric fact\(s\) g_co2e_per_gb=360/],
    // references.csv: an untraced reference must say what is known
    ['references.csv', '"Range 377.5-455 mm²: the density-scaled estimate to the study\'s figure. An SoC with more I/O and analog area than a GPU could be less dense, so 455 is not a proven upper bound."', '', /references\.csv:\d+ .*note.*untraced reference must say what is known/],
  ];
  for (const [table, from, to, message] of CASES) {
    void it(`${table}: ${message.source.slice(0, 60)}…`, () => {
      const restore = edit(table, from, to);
      try {
        const r = check();
        assert.equal(r.status, 1, r.out);
        assert.match(r.out, message);
        assert.match(r.out, /\[INVALID_VALUE\]/);
      } finally {
        restore();
      }
    });
  }
});
