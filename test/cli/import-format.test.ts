// `import --format`: table (default) or json, as its help says. Before, `--format csv` was
// accepted and printed the table (anything not json fell to it); now it is refused like
// measure's, bench's and campaign's: a USAGE error naming --format (exit 2), before anything
// is read or written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

const LOG = 'timestamp, index, power.draw [W]\n2024/05/14 10:31:22.100, 0, 40.00 W\n2024/05/14 10:31:22.200, 0, 41.00 W\n2024/05/14 10:31:22.300, 0, 42.00 W\n';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd, isTTY: false });
  return { code, out, err };
}

test('import --format csv is refused (exit 2, one line naming --format), nothing imported; table and json still print', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-import-format-'));
  try {
    writeFileSync(join(dir, 'smi.csv'), LOG);
    const runs = join(dir, 'runs');
    const args = ['import', 'nvidia-smi', 'smi.csv', '--device', 'A100', '--runs-dir', runs];
    const csv = await cli([...args, '--format', 'csv'], dir);
    assert.equal(csv.code, 2, csv.err);
    assert.equal(csv.out, '');
    assert.equal(csv.err.trim().split('\n').length, 1, csv.err);
    assert.match(csv.err, /flag --format: import prints table or json \(runs list --format csv lists the store\) \[USAGE\]/);
    assert.ok(!existsSync(runs) || readdirSync(runs).filter((n) => !n.startsWith('.')).length === 0, 'nothing imported');

    const json = await cli([...args, '--format', 'json'], dir);
    assert.equal(json.code, 0, json.err);
    assert.equal((JSON.parse(json.out) as { added: number }).added, 1);
    const table = await cli(args, dir);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^status +run +source +note/m);
    assert.match(table.out, /0 added, 1 already present, 0 skipped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
