// The one-pass decoder of the study's CSVs (issue 12, part 6) must give the streamed decoder's
// trace value for value on every file of the study, and hand every irregular file back to it,
// so that errors keep naming their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { readLinesSync } from '../../src/io/lines.js';
import { TraceBuilder } from '../../src/traces/builder.js';
import { importThesisCsv } from '../../src/io/trace-files.js';
import { decodeThesisCsv, decodeThesisCsvText } from '../../src/traces/parse-thesis-csv.js';
import { MAX_CHANNEL_POWER_W, MAX_SAMPLE_INTERVAL_S } from '../../src/traces/plausibility.js';
import type { PowerUnit } from '../../src/units/index.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const LIMITS = { maxPowerW: MAX_CHANNEL_POWER_W, maxIntervalS: MAX_SAMPLE_INTERVAL_S };

/** The streamed path, as importThesisCsv took it for every file before. */
function streamed(path: string, unit: PowerUnit) {
  return new TraceBuilder(path).addAll(decodeThesisCsv(readLinesSync(path), { unit, file: path })).build({ format: 'thesis-csv', path, unitInSource: unit }, { kind: 'measured', sensor: 'nvidia-smi' });
}

test('every study CSV: the one-pass trace equals the streamed one, value for value', { skip: skipWithoutThesis }, () => {
  let files = 0;
  for (const dev of readdirSync(join(THESIS_DIR, 'Data'))) {
    const unit: PowerUnit = dev.includes('orin') ? 'mW' : 'W';
    for (const phase of ['FULL', 'CI', 'PUE']) {
      let names: string[];
      try {
        names = readdirSync(join(THESIS_DIR, 'Data', dev, phase)).filter((n) => n.startsWith('consommation_energie_single_'));
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(THESIS_DIR, 'Data', dev, phase, name);
        const fast = importThesisCsv(path, { unit });
        const slow = streamed(path, unit);
        assert.equal(fast.channels.length, 1, name);
        assert.equal(fast.channels[0]!.name, slow.channels[0]!.name, name);
        assert.deepEqual(fast.channels[0]!.tS, slow.channels[0]!.tS, name);
        assert.deepEqual(fast.channels[0]!.powerW, slow.channels[0]!.powerW, name);
        assert.deepEqual(fast.source, slow.source);
        files++;
      }
    }
  }
  // 3 devices × 50 FULL + 50 CI, and the Orin's PUE runs.
  assert.ok(files >= 300, `${files} files compared`);
});

test('irregular files go back to the streamed decoder: same trace, or the coded error naming the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-thesis-whole-'));
  try {
    const write = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const regular = 'timestamp,gpu_power\n.1,50.5\n.2,51\n.3,52.25\n';
    assert.deepEqual(decodeThesisCsvText(regular, 'W', LIMITS)?.powerW, new Float64Array([50.5, 51, 52.25]));
    assert.deepEqual(decodeThesisCsvText(regular, 'mW', LIMITS)?.powerW, new Float64Array([50.5 * 0.001, 51 * 0.001, 52.25 * 0.001]));
    // Turned down here, decoded by the streamed path to the same values.
    for (const [name, text] of [
      ['crlf.csv', regular.replace(/\n/g, '\r\n')],
      ['blank.csv', 'timestamp,gpu_power\n.1,50.5\n\n.2,51\n.3,52.25\n'],
      ['bom.csv', `\uFEFF${regular}`],
      ['spaces.csv', 'timestamp, gpu_power\n.1, 50.5\n.2,51\n.3,52.25\n'],
    ] as const) {
      assert.equal(decodeThesisCsvText(text, 'W', LIMITS), undefined, name);
      const t = importThesisCsv(write(name, text), { unit: 'W' });
      assert.deepEqual(t.channels[0]!.powerW, new Float64Array([50.5, 51, 52.25]), name);
    }
    // Errors: the streamed decoder names the line, as before.
    const code = (text: string): string => {
      try {
        importThesisCsv(write('bad.csv', text), { unit: 'W' });
      } catch (e) {
        if (isInferprintError(e)) return `${e.code} line ${e.where.line ?? '-'}`;
        throw e;
      }
      return 'no error';
    };
    assert.equal(code('timestamp,gpu_power\n.1,50\n.3,51\n.2,52\n'), 'NON_MONOTONIC line 4');
    assert.equal(code('timestamp,gpu_power\n.1,50\n.2,51,7\n'), 'PARSE line 3');
    assert.equal(code('timestamp,gpu_power\n.1,50\n.2\n'), 'TRUNCATED line 3');
    assert.equal(code('timestamp,gpu_power\n.1,50\n.2,2e6\n'), 'INVALID_VALUE line 3');
    assert.equal(code('timestamp,gpu_power\n.1,50\n'), 'EMPTY_INPUT line -');
    assert.equal(code('timestamp,gpu_power\n'), 'EMPTY_INPUT line 1');
    assert.equal(code('timestamp,gpu_power\n1,50\n100000,51\n'), 'INVALID_VALUE line 3');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
