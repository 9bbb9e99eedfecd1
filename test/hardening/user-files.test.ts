// Files a user names on the command line and inferprint reads whole: the workload of `advise`,
// the plan of `campaign submit`, the SQuAD set and vocabulary of `bench --mode accuracy`. Each is
// read through the regular-file rule: a FIFO is refused (before, the open waited for a writer
// for good), a folder is refused in words (before, a raw `EISDIR … [IO]`), a file over the cap
// is refused on its size, a missing one is NOT_FOUND, and an ordinary file still reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_WORKLOAD_FILE_BYTES } from '../../src/advise/io/load.js';
import { MAX_PLAN_FILE_BYTES } from '../../src/campaign/io/campaign.js';
import { loadSquad, loadVocab, MAX_SQUAD_BYTES, MAX_VOCAB_BYTES } from '../../src/benchmark/squad/io/files.js';
import { SQUAD_JSON, VOCAB_TEXT } from '../benchmark/squad-fixtures.js';
import { cliInChild, mkfifo, tempDir, type CliRun } from './helpers.js';
import { MINIMAL_PLAN, MINIMAL_WORKLOAD } from '../helpers/user-files.js';

const WORKLOAD = MINIMAL_WORKLOAD;
const PLAN = MINIMAL_PLAN;

/** A sparse file one byte over `cap`: refused on its size, nothing read. */
function overCap(path: string, cap: number): string {
  writeFileSync(path, '');
  truncateSync(path, cap + 1);
  return path;
}

function refused(r: CliRun, re: RegExp): void {
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, re);
}

test('advise: a FIFO, a folder or an oversized workload file is refused in one line (exit 1); a missing one is NOT_FOUND; a plain one reads', { timeout: 180_000 }, (t) => {
  const root = tempDir();
  try {
    const runs = join(root, 'runs');
    writeFileSync(join(root, 'good.yaml'), WORKLOAD);
    mkdirSync(join(root, 'folder.yaml'));
    overCap(join(root, 'huge.yaml'), MAX_WORKLOAD_FILE_BYTES);
    const hasFifo = mkfifo(join(root, 'pipe.yaml'));
    const advise = (file: string): string[] => ['advise', file, '--runs-dir', runs, '--draws', '0'];
    // In a child: before the fix the FIFO blocked the open for good (the child is then killed and the test fails, it does not hang).
    const [good, folder, huge, missing, pipe] = cliInChild([advise('good.yaml'), advise('folder.yaml'), advise('huge.yaml'), advise('none.yaml'), ...(hasFifo ? [advise('pipe.yaml')] : [])], { cwd: root });
    assert.equal(good!.code, 0, good!.err);
    assert.match(good!.out, /^pool +A100 pooled +1 /m);
    refused(folder!, /^inferprint advise: folder\.yaml: workload file is a directory, not a regular file.*\[INVALID_VALUE\]$/m);
    refused(huge!, new RegExp(`huge\\.yaml: ${MAX_WORKLOAD_FILE_BYTES + 1} bytes, more than the ${MAX_WORKLOAD_FILE_BYTES} bytes a workload file may hold \\[INVALID_VALUE\\]`));
    refused(missing!, /none\.yaml: workload file does not exist \[NOT_FOUND\]/);
    if (!hasFifo) {
      t.skip('mkfifo is not available here: the FIFO case did not run');
      return;
    }
    refused(pipe!, /pipe\.yaml: workload file is a FIFO \(named pipe\), not a regular file.*\[INVALID_VALUE\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('campaign submit --dry-run: a FIFO, a folder or an oversized plan is refused in one line (exit 1); a missing one is NOT_FOUND; a plain one reads', { timeout: 180_000 }, (t) => {
  const root = tempDir();
  try {
    const runs = join(root, 'runs');
    writeFileSync(join(root, 'good.yaml'), PLAN);
    mkdirSync(join(root, 'folder.yaml'));
    overCap(join(root, 'huge.yaml'), MAX_PLAN_FILE_BYTES);
    const hasFifo = mkfifo(join(root, 'pipe.yaml'));
    const submit = (file: string): string[] => ['campaign', 'submit', file, '--dry-run', '--runs-dir', runs];
    const [good, folder, huge, missing, pipe] = cliInChild([submit('good.yaml'), submit('folder.yaml'), submit('huge.yaml'), submit('none.yaml'), ...(hasFifo ? [submit('pipe.yaml')] : [])], { cwd: root });
    assert.equal(good!.code, 0, good!.err);
    assert.match(good!.out, /here/);
    refused(folder!, /folder\.yaml: plan file is a directory, not a regular file.*\[INVALID_VALUE\]/);
    refused(huge!, new RegExp(`huge\\.yaml: ${MAX_PLAN_FILE_BYTES + 1} bytes, more than the ${MAX_PLAN_FILE_BYTES} bytes a plan file may hold \\[INVALID_VALUE\\]`));
    refused(missing!, /none\.yaml: plan file does not exist \[NOT_FOUND\]/);
    if (!hasFifo) {
      t.skip('mkfifo is not available here: the FIFO case did not run');
      return;
    }
    refused(pipe!, /pipe\.yaml: plan file is a FIFO \(named pipe\), not a regular file.*\[INVALID_VALUE\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bench --mode accuracy: a FIFO, a folder or an oversized --dataset or --vocab is refused in one line (exit 1); plain files read', { timeout: 240_000 }, (t) => {
  const root = tempDir();
  try {
    const vocab = join(root, 'vocab.txt');
    const squad = join(root, 'dev.json');
    writeFileSync(vocab, VOCAB_TEXT);
    writeFileSync(squad, JSON.stringify(SQUAD_JSON));
    // The plain files read, as the pipeline reads them.
    assert.equal(loadVocab(vocab).ids.get('[PAD]'), 0);
    assert.equal(loadSquad(squad).articles.length, SQUAD_JSON.data.length);
    mkdirSync(join(root, 'folder'));
    overCap(join(root, 'huge-vocab.txt'), MAX_VOCAB_BYTES);
    overCap(join(root, 'huge-dev.json'), MAX_SQUAD_BYTES);
    const hasFifo = mkfifo(join(root, 'pipe'));
    const bench = (dataset: string, v: string): string[] => [
      'bench', '--mode', 'accuracy', '--model', 'synthetic:bert-tiny', '--dataset', dataset, '--vocab', v,
      '--sensor', 'estimate', '--runs-dir', join(root, 'runs'), '--cache-dir', join(root, 'cache'),
    ];
    const runs = cliInChild([
      bench(squad, join(root, 'folder')),
      bench(join(root, 'folder'), vocab),
      bench(squad, join(root, 'huge-vocab.txt')),
      bench(join(root, 'huge-dev.json'), vocab),
      bench(join(root, 'none.json'), vocab),
      ...(hasFifo ? [bench(squad, join(root, 'pipe')), bench(join(root, 'pipe'), vocab)] : []),
    ], { cwd: root });
    const [vocabFolder, setFolder, vocabHuge, setHuge, setMissing, vocabPipe, setPipe] = runs;
    refused(vocabFolder!, /folder: vocab file is a directory, not a regular file.*\[INVALID_VALUE\]/);
    refused(setFolder!, /folder: SQuAD dataset is a directory, not a regular file.*\[INVALID_VALUE\]/);
    refused(vocabHuge!, new RegExp(`huge-vocab\\.txt: ${MAX_VOCAB_BYTES + 1} bytes, more than the ${MAX_VOCAB_BYTES} bytes a vocab file may hold`));
    refused(setHuge!, new RegExp(`huge-dev\\.json: ${MAX_SQUAD_BYTES + 1} bytes, more than the ${MAX_SQUAD_BYTES} bytes a SQuAD dataset may hold`));
    refused(setMissing!, /none\.json: SQuAD dataset does not exist \[NOT_FOUND\]/);
    if (!hasFifo) {
      t.skip('mkfifo is not available here: the FIFO case did not run');
      return;
    }
    refused(vocabPipe!, /pipe: vocab file is a FIFO \(named pipe\), not a regular file.*\[INVALID_VALUE\]/);
    refused(setPipe!, /pipe: SQuAD dataset is a FIFO \(named pipe\), not a regular file.*\[INVALID_VALUE\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
