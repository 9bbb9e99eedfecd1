/**
 * The scheduler's job in every bundle, whoever started the run: a user's own sbatch script
 * around `inferprint measure` is simulated here by the environment Slurm gives a batch step
 * (the variables and values recorded from Slurm 22.05.8, scripts/slurm-local.sh); then the
 * runs are found again by job, node and partition in `runs list`, `sql` and the dashboard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schedulerContext, slurmStepRef } from '../../src/app/scheduler-context.js';
import { readRunManifest } from '../../src/runs/io/bundle.js';
import { parseManifestText } from '../../src/runs/manifest.js';
import { runFilter } from '../../src/store/filter.js';
import { toRunRow } from '../../src/runs/row.js';
import { RunsData } from '../../src/serve/data.js';
import { parseRunsQuery } from '../../src/serve/query.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/inferprint');
const skipNoBuild = existsSync(join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ not built: run npm run build';

/** A batch step of array task 3 of job array 40 (its own job id 44), as sbatch sets it up. */
const BATCH_ENV = {
  ENVIRONMENT: 'BATCH',
  SLURM_ARRAY_JOB_ID: '40',
  SLURM_ARRAY_TASK_ID: '3',
  SLURM_CLUSTER_NAME: 'inferprint-local',
  SLURM_JOB_ID: '44',
  SLURM_JOBID: '44',
  SLURM_JOB_NAME: 'cpu.study-mini',
  SLURM_JOB_PARTITION: 'debug',
  SLURMD_NODENAME: 'node07',
  SLURM_NODELIST: 'node07',
};

test('Slurm: job, array job and task, node, partition, cluster; the batch step is `batch`', () => {
  assert.deepEqual(schedulerContext(BATCH_ENV), {
    kind: 'slurm', jobId: '44', arrayJobId: '40', arrayTaskId: '3', stepId: 'batch', node: 'node07', partition: 'debug', cluster: 'inferprint-local', jobName: 'cpu.study-mini',
  });
  // Under srun the step has its number, and the GPUs the job was given are kept.
  const step = schedulerContext({ ...BATCH_ENV, SLURM_STEP_ID: '0', CUDA_VISIBLE_DEVICES: '0,1' })!;
  assert.equal(step.stepId, '0');
  assert.equal(step.cudaVisibleDevices, '0,1');
  assert.equal(slurmStepRef(step), '44.0');
  // salloc's shell: a job, no step.
  const alloc = schedulerContext({ SLURM_JOB_ID: '51', SLURM_JOB_PARTITION: 'gpu' })!;
  assert.equal(alloc.stepId, undefined);
  assert.equal(slurmStepRef(alloc), undefined);
});

test("OAR (Grid'5000): job, array and index", () => {
  assert.deepEqual(schedulerContext({ OAR_JOB_ID: '5362183', OAR_ARRAY_ID: '5362183', OAR_ARRAY_INDEX: '1', OAR_JOB_NAME: '', CUDA_VISIBLE_DEVICES: '0' }), {
    kind: 'oar', jobId: '5362183', arrayJobId: '5362183', arrayTaskId: '1', cudaVisibleDevices: '0',
  });
});

test('no scheduler: nothing (CUDA_VISIBLE_DEVICES alone is not a job)', () => {
  assert.equal(schedulerContext({ CUDA_VISIBLE_DEVICES: '1', SLURM_JOB_ID: '' }), undefined);
});

test('the manifest reads host.scheduler and host.hostname, and refuses a scheduler without its job', () => {
  const m = (host: unknown) => JSON.stringify({
    schemaVersion: 1, id: 'r', label: '', createdAt: '2026-12-06T10:00:00.000Z', startedAt: '2026-12-06T10:00:00.000Z', endedAt: '2026-12-06T10:00:01.000Z',
    status: { kind: 'completed' }, host, tool: { name: 'inferprint', version: '0.1.0' }, workload: { kind: 'command', argv: ['true'], cwd: '/' }, device: {}, windows: [], gaps: [], files: [],
  });
  const ok = parseManifestText(m({ hostname: 'node07', scheduler: { kind: 'slurm', jobId: '44', stepId: 'batch', future: 1 } }), 'manifest.json');
  assert.equal(ok.host.hostname, 'node07');
  assert.deepEqual(ok.host.scheduler, { kind: 'slurm', jobId: '44', stepId: 'batch', future: 1 });
  assert.throws(() => parseManifestText(m({ scheduler: { kind: 'slurm' } }), 'manifest.json'), /field 'host\.scheduler\.jobId': required field is missing \[PARSE\]/);
  assert.throws(() => parseManifestText(m({ scheduler: { kind: 'slurm', jobId: 44 } }), 'manifest.json'), /field 'host\.scheduler\.jobId': expected a string/);
});

test("a user's own sbatch around `inferprint measure`: the bundle carries the job; runs list, sql and the dashboard find it", { skip: skipNoBuild }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-sched-'));
  const measure = (extra: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
    for (const k of Object.keys(env)) if (/^(SLURM|OAR)_|^SLURMD_|^ENVIRONMENT$/.test(k) && !(k in extra)) Reflect.deleteProperty(env, k);
    const r = spawnSync(BIN, ['measure', '--sensor', 'estimate', '--interval', '50ms', '--runs-dir', runs, '--format', 'json', '--', process.execPath, '-e', ''], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { run_path: string }).run_path;
  };
  const inJob = measure(BATCH_ENV);
  const outside = measure({});
  const m = await readRunManifest(inJob);
  assert.deepEqual(m.host.scheduler, { kind: 'slurm', jobId: '44', arrayJobId: '40', arrayTaskId: '3', stepId: 'batch', node: 'node07', partition: 'debug', cluster: 'inferprint-local', jobName: 'cpu.study-mini' });
  assert.equal(typeof m.host.hostname, 'string');
  assert.equal((await readRunManifest(outside)).host.scheduler, undefined);

  const list = (...flags: string[]) => {
    const r = spawnSync(BIN, ['runs', 'list', '--runs-dir', runs, '--format', 'json', ...flags], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { runs: { id: string; job_id: string | null; node: string | null; partition: string | null; step_id: string | null }[] }).runs;
  };
  assert.equal(list().length, 2);
  for (const job of ['44', '40', '40_3']) assert.deepEqual(list('--job', job).map((r) => r.job_id), ['44'], `--job ${job}`);
  assert.equal(list('--job', '40_2').length, 0);
  assert.deepEqual(list('--node', 'NODE07').map((r) => r.node), ['node07']);
  assert.deepEqual(list('--partition', 'debug').map((r) => r.partition), ['debug']);
  assert.equal(list('--partition', 'gpu').length, 0);

  const sql = spawnSync(BIN, ['sql', '--runs-dir', runs, '--format', 'json', "SELECT job_id, array_job_id, array_task_id, step_id, node, partition, scheduler FROM runs WHERE scheduler = 'slurm'"], { encoding: 'utf8' });
  assert.equal(sql.status, 0, sql.stderr);
  assert.deepEqual(JSON.parse(sql.stdout), [{ job_id: '44', array_job_id: '40', array_task_id: '3', step_id: 'batch', node: 'node07', partition: 'debug', scheduler: 'slurm' }]);

  const data = new RunsData(runs);
  const page = async (q: Record<string, string>) => (await data.runs(parseRunsQuery(new URLSearchParams(q)))).runs;
  assert.deepEqual((await page({ job: '40' })).map((r) => [r.jobId, r.arrayJobId, r.arrayTaskId, r.node, r.partition]), [['44', '40', '3', 'node07', 'debug']]);
  assert.equal((await page({ partition: 'debug' })).length, 1);
  assert.equal((await page({ node: 'node07' })).length, 1);
  assert.equal((await page({})).length, 2);
  assert.throws(() => parseRunsQuery(new URLSearchParams({ jobid: '40' })), /unknown query parameter 'jobid'/);
});

test('runFilter: a run outside any job matches --node by its host name', () => {
  const row = (host: Record<string, unknown>) =>
    toRunRow({
      id: 'r', path: '/r', schemaVersion: 1, hasCounters: false,
      manifest: parseManifestText(JSON.stringify({ schemaVersion: 1, id: 'r', label: '', createdAt: '2026-12-06T10:00:00.000Z', startedAt: '2026-12-06T10:00:00.000Z', endedAt: '2026-12-06T10:00:01.000Z', status: { kind: 'completed' }, host, tool: { name: 'inferprint', version: '0.1.0' }, workload: { kind: 'command', argv: ['true'], cwd: '/' }, device: {}, windows: [], gaps: [], files: [] }), 'm.json'),
    });
  assert.ok(runFilter({ node: 'Laptop' })(row({ hostname: 'laptop' })));
  assert.ok(!runFilter({ node: 'laptop' })(row({ hostname: 'laptop', scheduler: { kind: 'slurm', jobId: '1', node: 'n1' } })));
  assert.ok(!runFilter({ job: '1' })(row({ hostname: 'laptop' })));
});
