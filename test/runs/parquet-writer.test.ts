import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeParquet } from '../../src/runs/parquet-writer.js';
import { readSeriesParquet, withDuckDB, writeSeriesParquetFile, type Series } from '../../src/runs/io/parquet.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-pq-'));
let fileNo = 0;
const nextPath = (): string => join(dir, `f${fileNo++}.parquet`);

/** Bit patterns, so that -0 vs 0 and every mantissa bit count. */
function bits(a: Float64Array): string[] {
  return [...new BigUint64Array(a.buffer, a.byteOffset, a.length)].map((b) => b.toString(16));
}

function assertSameSeries(got: readonly Series[], want: readonly Series[]): void {
  assert.deepEqual(
    got.map((s) => s.name),
    want.map((s) => s.name),
  );
  got.forEach((s, i) => {
    assert.deepEqual(bits(s.tS), bits(want[i]!.tS), `t_s of ${s.name}`);
    assert.deepEqual(bits(s.values), bits(want[i]!.values), `values of ${s.name}`);
  });
}

async function roundTrip(series: readonly Series[], opts?: { rowGroupRows?: number; pageRows?: number }): Promise<{ path: string; back: Series[] }> {
  const path = nextPath();
  writeSeriesParquetFile(path, series, 'watts', opts);
  const back = await withDuckDB((con) => readSeriesParquet(con, path, 'watts'));
  return { path, back };
}

test('awkward doubles come back bit for bit through DuckDB', async () => {
  const values = new Float64Array([0.1 + 0.2, -0, 0, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e-300, Math.PI]);
  const tS = new Float64Array([-1e-9, 0, 0.1, 0.2, 0.30000000000000004, 1, 2 ** 53, 1e200, 1.7e308, Number.MAX_VALUE]);
  const series = [{ name: 'gpu0', tS, values }];
  const { path, back } = await roundTrip(series);
  assertSameSeries(back, series);
  // Negative zero survives into SQL too (not only into our reader).
  const signs = await withDuckDB(async (con) => (await con.runAndReadAll('SELECT watts FROM read_parquet($p) ORDER BY file_row_number', { p: path })).getRowsJS());
  assert.ok(Object.is(signs[1]![0], -0));
  assert.ok(Object.is(signs[2]![0], 0));
});

test('UTF-8 channel names, schema and created_by as DuckDB sees them', async () => {
  const names = ['gpu0', 'VDD_GPU_SOC', 'Ärger €', '功率', '😀 rail', 'a'.repeat(300)];
  const series = names.map((name, i) => ({ name, tS: new Float64Array([i, i + 0.5]), values: new Float64Array([10 * i, 10 * i + 1]) }));
  const { path, back } = await roundTrip(series);
  assertSameSeries(back, series);
  await withDuckDB(async (con) => {
    const schema = (await con.runAndReadAll('SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($p))', { p: path })).getRowsJS();
    assert.deepEqual(schema, [
      ['t_s', 'DOUBLE'],
      ['watts', 'DOUBLE'],
      ['channel', 'VARCHAR'],
    ]);
    const meta = (await con.runAndReadAll('SELECT created_by, num_rows::INTEGER, num_row_groups::INTEGER FROM parquet_file_metadata($p)', { p: path })).getRowsJS();
    assert.deepEqual(meta, [['inferprint', 12, 1]]);
    const lengths = (await con.runAndReadAll('SELECT channel, length(channel)::INTEGER FROM read_parquet($p) WHERE channel LIKE $q', { p: path, q: '功%' })).getRowsJS();
    assert.deepEqual(lengths, [
      ['功率', 2],
      ['功率', 2],
    ]);
  });
});

test('one row, and no rows at all (an empty trace) read back', async () => {
  const one = [{ name: 'board', tS: new Float64Array([0.25]), values: new Float64Array([7.5]) }];
  assertSameSeries((await roundTrip(one)).back, one);

  for (const series of [[], [{ name: 'gpu0', tS: new Float64Array(0), values: new Float64Array(0) }]]) {
    const { path, back } = await roundTrip(series);
    assert.deepEqual(back, []);
    const r = await withDuckDB(async (con) => (await con.runAndReadAll('SELECT count(*)::INTEGER, typeof(any_value(channel)) FROM read_parquet($p)', { p: path })).getRowsJS());
    assert.deepEqual(r, [[0, 'VARCHAR']]);
  }
});

test('10^5 rows over several row groups and pages keep their order', async () => {
  const series: Series[] = [];
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const [name, n] of [['gpu0', 60_000], ['gpu1', 39_999], ['board', 1]] as const) {
    const tS = new Float64Array(n);
    const values = new Float64Array(n);
    let t = -0.5;
    for (let i = 0; i < n; i++) {
      t += 1e-4 + rand() * 1e-3;
      tS[i] = t;
      values[i] = 50 + rand() * 300 + rand() * 2 ** -40;
    }
    series.push({ name, tS, values });
  }
  const { path, back } = await roundTrip(series, { rowGroupRows: 30_000, pageRows: 7_000 });
  assertSameSeries(back, series);
  const meta = await withDuckDB(async (con) => (await con.runAndReadAll('SELECT num_rows::INTEGER, num_row_groups::INTEGER FROM parquet_file_metadata($p)', { p: path })).getRowsJS());
  assert.deepEqual(meta, [[100_000, 4]]);
  // The same data with default sizes is one row group and the same rows.
  const single = await roundTrip(series);
  assertSameSeries(single.back, series);
});

test('file layout: magic at both ends, footer length, PLAIN doubles in the first page', () => {
  const bytes = encodeParquet([{ name: 'x', kind: 'double', values: new Float64Array([1.5, -2]) }]);
  const ascii = (b: Uint8Array): string => String.fromCharCode(...b);
  assert.equal(ascii(bytes.subarray(0, 4)), 'PAR1');
  assert.equal(ascii(bytes.subarray(bytes.length - 4)), 'PAR1');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const footerLength = view.getUint32(bytes.length - 8, true);
  // 4 magic + page header + 16 data bytes + footer + 8 trailer.
  assert.ok(footerLength > 0 && footerLength < bytes.length - 8 - 4 - 16);
  const dataEnd = bytes.length - 8 - footerLength;
  assert.equal(view.getFloat64(dataEnd - 16, true), 1.5);
  assert.equal(view.getFloat64(dataEnd - 8, true), -2);
  assert.ok(ascii(bytes.subarray(dataEnd, bytes.length - 8)).includes('inferprint'));
});

test('writeSeriesParquetFile overwrites an existing file', async () => {
  const path = nextPath();
  writeSeriesParquetFile(path, [{ name: 'a', tS: new Float64Array([1, 2, 3]), values: new Float64Array([1, 2, 3]) }], 'energy_j');
  const first = readFileSync(path).length;
  writeSeriesParquetFile(path, [{ name: 'b', tS: new Float64Array([1]), values: new Float64Array([9]) }], 'energy_j');
  assert.ok(readFileSync(path).length < first);
  const back = await withDuckDB((con) => readSeriesParquet(con, path, 'energy_j'));
  assert.deepEqual(back, [{ name: 'b', tS: new Float64Array([1]), values: new Float64Array([9]) }]);
});

test('bad input to the encoder is refused', () => {
  assert.throws(() => encodeParquet([]), RangeError);
  assert.throws(
    () =>
      encodeParquet([
        { name: 'a', kind: 'double', values: new Float64Array(2) },
        { name: 'b', kind: 'double', values: new Float64Array(3) },
      ]),
    RangeError,
  );
  assert.throws(() => encodeParquet([{ name: 'a', kind: 'double', values: new Float64Array(2) }], { pageRows: 0 }), RangeError);
  assert.throws(() => encodeParquet([{ name: 'c', kind: 'utf8', values: { length: 1, distinct: ['x'], index: () => 3 } }]), RangeError);
});
