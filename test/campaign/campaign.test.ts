/**
 * `inferprint campaign` against a stand-in Slurm (what it checks before submitting, the script
 * and record it writes, how it reads Slurm's answers back) and with the local executor, which
 * runs real bench runs here (bert-tiny, 16 and 32 queries, the `estimate` sensor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignStatus, cancelCampaign, resumeCampaign, submitCampaign, type CampaignContext } from '../../src/campaign/io/campaign.js';
import { readRecord } from '../../src/campaign/io/record.js';
import { isInferprintError } from '../../src/errors.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { runCli } from '../../src/cli/main.js';
import { CLUSTER, fakeSlurm, missing, ok, type Rule } from './fake-slurm.js';

const CACHE = mkdtempSync(join(tmpdir(), 'inferprint-campaign-cache-'));

function plan(dir: string, text: string): string {
  const p = join(dir, 'plan.yaml');
  writeFileSync(p, text);
  return p;
}

const PLAN = (target: string, runs = '  queries: [16, 32]\n  repetitions: 2\n') => `name: study-mini
targets:
  - ${target}
runs:
  model: synthetic:bert-tiny
  scenario: SingleStream
${runs}  sensor: estimate
`;

async function context(runsDir: string, rules: readonly Rule[] = CLUSTER, hostname = 'login1') {
  const fake = fakeSlurm(rules);
  const lines: string[] = [];
  const ctx: CampaignContext = {
    runsDir,
    cacheDir: CACHE,
    cwd: runsDir,
    env: process.env,
    sensorEnv: await defaultSensorEnv(),
    exec: fake.exec,
    hostname,
    onStatus: (l) => { lines.push(l); },
    qslSize: 64,
  };
  return { ctx, fake, lines };
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isInferprintError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

const submitted = (calls: readonly string[]) => calls.filter((c) => c.startsWith('sbatch --parsable'));

test('bad input is refused before anything is written or submitted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const runs = join(dir, 'runs');
  await t.test('an unknown partition names its key and the partitions there are', async () => {
    const { ctx, fake } = await context(runs);
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: debug }')), {}, ctx), 'INVALID_VALUE', /plan\.yaml field 'targets\[0\]\.partition': no partition 'debug' on this cluster \(sinfo lists cpu, gpu\)/);
    assert.deepEqual(submitted(fake.calls), []);
  });
  await t.test('sbatch missing names the executor', async () => {
    const { ctx, fake } = await context(runs, [{ cmd: 'sbatch', result: missing }]);
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: cpu }')), {}, ctx), 'INVALID_VALUE', /field 'targets\[0\]\.executor': executor slurm submits with sbatch, which is not on this machine's PATH/);
    assert.deepEqual(submitted(fake.calls), []);
  });
  await t.test('a plan with no runs', async () => {
    const { ctx, fake } = await context(runs);
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: cpu }', '  queries: []\n')), {}, ctx), 'INVALID_VALUE', /field 'runs\.queries': no query counts: the plan has no runs/);
    assert.deepEqual(fake.calls, []);
  });
  await t.test('a runs directory that cannot be written', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const { ctx, fake } = await context(join(file, 'runs'));
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: cpu }')), {}, ctx), 'IO', /runs directory not writable/);
    assert.deepEqual(submitted(fake.calls), []);
  });
  await t.test('a model file that is not there', async () => {
    const { ctx } = await context(runs);
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: cpu }').replace('synthetic:bert-tiny', 'models/bert.onnx')), {}, ctx), 'INVALID_VALUE', /field 'runs\.model': model file does not exist/);
  });
  await t.test('hardware the database does not know', async () => {
    const { ctx } = await context(runs);
    await rejects(submitCampaign(plan(dir, PLAN('{ name: cpu, partition: cpu, hardware: "Quantum Toaster" }')), {}, ctx), 'UNKNOWN_HARDWARE', /field 'targets\[0\]\.hardware'/);
  });
  await t.test('a plan file that is not there', async () => {
    const { ctx } = await context(runs);
    await rejects(submitCampaign(join(dir, 'nope.yaml'), {}, ctx), 'NOT_FOUND', /nope\.yaml: plan file does not exist/);
  });
  assert.equal(existsSync(join(runs, 'campaigns')), false, 'no campaign folder was left by any refusal');
});

test('submit writes the campaign folder and one job array per target; status reads the queue back', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx, fake, lines } = await context(runs);
  const r = await submitCampaign(plan(runs, PLAN('{ name: cpu, partition: cpu, max_parallel: 2, exclusive: false }')), {}, ctx);
  assert.match(r.id, /^study-mini-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  assert.deepEqual(r.targets.map((t) => [t.target, t.executor, t.runs, t.jobId]), [['cpu', 'slurm', 4, '4242']]);
  // Shared nodes are said; so is a runs directory on this host's disk, which node01/02 cannot write.
  assert.ok(r.warnings.some((w) => /exclusive is off: other jobs may share its nodes/.test(w)), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => /file system of this host, which other nodes \(node01, node02\) cannot write/.test(w)), r.warnings.join('\n'));
  assert.ok(lines.some((l) => /warning: target cpu: exclusive is off/.test(l)));

  const dir = join(runs, 'campaigns', r.id);
  assert.deepEqual(readdirSync(dir).sort(), ['campaign.json', 'logs', 'plan.yaml', 'slurm', 'targets']);
  const script = readFileSync(join(dir, 'slurm', 'cpu-1.sbatch'), 'utf8');
  assert.match(script, /#SBATCH --array=0-3%2\n/);
  assert.doesNotMatch(script, /--exclusive/);
  assert.deepEqual(submitted(fake.calls), [`sbatch --parsable ${join(dir, 'slurm', 'cpu-1.sbatch')}`]);
  const bench = JSON.parse(readFileSync(join(dir, 'targets', 'cpu.json'), 'utf8')) as { id: string; schema: string; planned: { key: string }[]; label: string; seed: number };
  assert.equal(bench.schema, 'inferprint.campaign/1');
  assert.equal(bench.id, `${r.id}-cpu`);
  assert.equal(bench.label, 'study-mini-cpu');
  assert.equal(bench.seed, 20_250_522);
  // bench's seeded shuffle: the same plan gives the same order.
  assert.deepEqual(bench.planned.map((p) => p.key).sort(), ['q16-r0', 'q16-r1', 'q32-r0', 'q32-r1']);
  const record = await readRecord(runs, r.id);
  assert.deepEqual(record.submissions.map((s) => [s.target, s.jobId, s.indices, s.by]), [['cpu', '4242', [0, 1, 2, 3], 'submit']]);

  // Task 0 runs on node01, 1 to 3 wait; no accounting database, so scontrol tells nothing yet.
  const queue = `4242_1|4242|1|PENDING||(JobArrayTaskLimit)\n4242_2|4242|2|PENDING||(JobArrayTaskLimit)\n4242_3|4242|3|PENDING||(JobArrayTaskLimit)\n4242_0|4242|0|RUNNING|node01|node01\n`;
  const { ctx: sctx } = await context(runs, [
    { cmd: 'squeue', result: ok(queue) },
    { cmd: 'sacct', result: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' } },
    { cmd: 'scontrol', args: /^show job -o 4242$/, result: ok('') },
  ]);
  const st = await campaignStatus(r.id, sctx);
  assert.deepEqual(st.counts, { pending: 3, running: 1, done: 0, failed: 0 });
  const t0 = st.runs.find((x) => x.index === 0)!;
  assert.deepEqual([t0.state, t0.job, t0.node], ['running', '4242_0', 'node01']);
  assert.ok(st.notes.some((n) => /no Slurm accounting database here/.test(n)));

  // Cancel: scancel of the job array that still has tasks queued.
  const cancel = fakeSlurm([{ cmd: 'squeue', result: ok(queue) }, { cmd: 'scancel', result: ok('') }]);
  const c = await cancelCampaign(r.id, { ...sctx, exec: cancel.exec });
  assert.deepEqual([c.jobs, c.tasks], [['4242'], 4]);
  assert.ok(cancel.calls.includes('scancel 4242'));
  assert.ok((await readRecord(runs, r.id)).cancelledAt !== undefined);

  // After the cancel: task 0 ended without a bundle, the others never started; resume resubmits all four.
  const cancelled = 'JobId=4242 ArrayJobId=4242 ArrayTaskId=1-3%2 JobState=CANCELLED Reason=JobArrayTaskLimit ExitCode=0:0\nJobId=4243 ArrayJobId=4242 ArrayTaskId=0 JobState=CANCELLED Reason=None ExitCode=0:15 NodeList=node01\n';
  const after = fakeSlurm([...CLUSTER.filter((x) => x.cmd !== 'sbatch' || /version/.test(String(x.args))), { cmd: 'squeue', result: ok('') }, { cmd: 'sacct', result: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' } }, { cmd: 'scontrol', args: /^show job/, result: ok(cancelled) }, { cmd: 'sbatch', args: /^--parsable/, result: ok('4250\n') }]);
  const st2 = await campaignStatus(r.id, { ...sctx, exec: after.exec });
  assert.deepEqual(st2.counts, { pending: 0, running: 0, done: 0, failed: 4 });
  assert.match(st2.runs.find((x) => x.index === 0)!.detail, /^cancelled, exit 0:15; no bundle$/);
  const res = await resumeCampaign(r.id, {}, { ...sctx, exec: after.exec });
  assert.deepEqual(res.targets.map((t) => [t.target, t.indices, t.jobId]), [['cpu', [0, 1, 2, 3], '4250']]);
  const rec = await readRecord(runs, r.id);
  assert.equal(rec.cancelledAt, undefined, 'resume clears the cancel');
  assert.deepEqual(rec.submissions.map((s) => [s.jobId, s.by]), [['4242', 'submit'], ['4250', 'resume']]);
  assert.match(readFileSync(join(dir, 'slurm', 'cpu-2.sbatch'), 'utf8'), /#SBATCH --array=0-3%2\n/);
});

test('submit --dry-run checks and prints the scripts, writes and submits nothing', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx, fake } = await context(runs, CLUSTER, 'node01');
  const r = await submitCampaign(plan(runs, PLAN('{ name: gpu, partition: gpu, gres: "gpu:1" }')), { dryRun: true }, ctx);
  assert.equal(r.dryRun, true);
  assert.match(r.targets[0]!.scriptText!, /#SBATCH --array=0-3\n[\s\S]*#SBATCH --exclusive\n[\s\S]*#SBATCH --gres=gpu:1\n/);
  assert.deepEqual(submitted(fake.calls), []);
  assert.equal(existsSync(join(runs, 'campaigns')), false);
});

test('the local executor runs the plan here through the per-task entry; analyze finds 2 rows of 2 runs', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx, fake } = await context(runs);
  const p = plan(runs, PLAN('{ name: cpu, partition: cpu }'));
  const r = await submitCampaign(p, { executor: 'local' }, ctx);
  assert.deepEqual(fake.calls, [], 'no Slurm command for a local plan');
  assert.deepEqual(r.targets.map((t) => [t.executor, t.runs, t.done, t.failed]), [['local', 4, 4, 0]]);
  const st = await campaignStatus(r.id, ctx);
  assert.deepEqual(st.counts, { pending: 0, running: 0, done: 4, failed: 0 });
  for (const run of st.runs) {
    assert.equal(run.bundles.length, 1);
    assert.ok(run.log !== undefined && readFileSync(run.log, 'utf8').includes(`task ${run.index} (${run.key}): completed`));
  }
  assert.equal(st.energy.available, false);
  assert.match(st.energy.reason!, /no run measured in a Slurm job step/);

  // Resume with nothing missing does nothing.
  const res = await resumeCampaign(r.id, {}, ctx);
  assert.deepEqual(res.targets, []);

  // The bundles are the store's: analyze groups them by query count.
  let out = '';
  const code = await runCli(['analyze', runs, '--format', 'json'], { stdout: (s) => { out += s; }, stderr: () => undefined, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(code, 0);
  const rows = (JSON.parse(out) as { rows: { queryCount: number; energy: { runs: number } }[] }).rows;
  assert.deepEqual(rows.map((x) => [x.queryCount, x.energy.runs]), [[16, 2], [32, 2]]);

  // The per-task entry: a run already done is not run again, and flags that would plan differently are refused.
  const file = join(runs, 'campaigns', r.id, 'targets', 'cpu.json');
  let said = '';
  assert.equal(await runCli(['bench', '--campaign-file', file, '--task', '2', '--runs-dir', runs, '--cache-dir', CACHE], { stdout: (s) => { said += s; }, stderr: () => undefined }), 0);
  assert.match(said, /task 2 \(q\d+-r\d\): already-done, bundle /);
  let err = '';
  assert.equal(await runCli(['bench', '--campaign-file', file, '--task', '2', '--queries', '64'], { stdout: () => undefined, stderr: (s) => { err += s; } }), 2);
  assert.match(err, /flag --queries: --campaign-file runs a run as its campaign planned it; --queries cannot change that \[USAGE\]/);
  err = '';
  assert.equal(await runCli(['bench', '--campaign-file', file, '--task', '4', '--runs-dir', runs], { stdout: () => undefined, stderr: (s) => { err += s; } }), 2);
  assert.match(err, /campaign .*-cpu plans 4 run\(s\), tasks 0 to 3; got 4 \[USAGE\]/);
  assert.equal(readdirSync(runs, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'campaigns').length, 4, 'no run twice');
});

test('a local run that fails is reported failed with its log, and resume runs only it again', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx } = await context(runs);
  const p = plan(runs, PLAN('{ name: bad, executor: local, sensor: "replay:/nonexistent/trace.csv" }', '  queries: [16]\n  repetitions: 1\n'));
  const r = await submitCampaign(p, {}, ctx);
  assert.deepEqual(r.targets.map((t) => [t.done, t.failed]), [[0, 1]]);
  const st = await campaignStatus(r.id, ctx);
  const run = st.runs[0]!;
  assert.equal(run.state, 'failed');
  assert.match(run.detail, /ended without a bundle/);
  assert.match(run.logTail!, /replay file \/nonexistent\/trace\.csv does not exist \[SENSOR_UNAVAILABLE\]/);
  assert.match(readFileSync(run.log!, 'utf8'), /SENSOR_UNAVAILABLE/);
  const res = await resumeCampaign(r.id, {}, ctx);
  assert.deepEqual(res.targets.map((t) => [t.indices, t.failed]), [[[0], 1]]);
});

test("Slurm's energy beside the bundle's: runs measured inside a job step, compared with sacct", async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx } = await context(runs);
  // The runs happen inside a batch step of job 77 (as in salloc/sbatch): their bundles say so.
  const saved = { ...process.env };
  Object.assign(process.env, { SLURM_JOB_ID: '77', SLURM_JOB_PARTITION: 'cpu', SLURMD_NODENAME: 'node01', ENVIRONMENT: 'BATCH' });
  let id: string;
  try {
    id = (await submitCampaign(plan(runs, PLAN('{ name: cpu, executor: local }', '  queries: [16]\n  repetitions: 2\n')), {}, ctx)).id;
  } finally {
    for (const k of ['SLURM_JOB_ID', 'SLURM_JOB_PARTITION', 'SLURMD_NODENAME', 'ENVIRONMENT']) if (saved[k] === undefined) Reflect.deleteProperty(process.env, k); else process.env[k] = saved[k];
  }
  const st0 = await campaignStatus(id, ctx);
  const energies = st0.runs.map((r) => r.bundles[0]!);
  assert.equal(energies.length, 2);
  // Without an energy plugin: nothing to compare, and said.
  const none = await context(runs, [{ cmd: 'scontrol', args: /^show config$/, result: ok('AcctGatherEnergyType    = acct_gather_energy/none\n') }]);
  const st1 = await campaignStatus(id, none.ctx);
  assert.equal(st1.energy.available, false);
  assert.match(st1.energy.reason!, /Slurm gathers no energy here \(AcctGatherEnergyType = acct_gather_energy\/none\): nothing to compare/);
  // With RAPL: sacct's figure for the step 77.batch, which measured both runs, beside their sum.
  const bundleJ = (key: string) => {
    const b = st1.runs.find((r) => r.key === key)!.bundles[0]!;
    return (JSON.parse(readFileSync(join(runs, b, 'manifest.json'), 'utf8')) as { energy: { primary: { energyJ: number } } }).energy.primary.energyJ;
  };
  const sum = bundleJ('q16-r0') + bundleJ('q16-r1');
  const slurmJ = Math.round(sum * 1.05);
  const rapl = await context(runs, [
    { cmd: 'scontrol', args: /^show config$/, result: ok('AcctGatherEnergyType    = acct_gather_energy/rapl\n') },
    { cmd: 'sacct', args: /^-P -n --format=JobID,ConsumedEnergyRaw,Elapsed -j 77\.batch$/, result: ok(`77.batch|${slurmJ}|00:03\n`) },
  ]);
  const st2 = await campaignStatus(id, rapl.ctx);
  assert.equal(st2.energy.available, true);
  assert.equal(st2.energy.plugin, 'acct_gather_energy/rapl');
  const c = st2.energyChecks.get('cpu/q16-r0')!;
  assert.equal(st2.energyChecks.get('cpu/q16-r1'), c, 'one step, one comparison for both runs');
  assert.equal(c.step, '77.batch');
  assert.equal(c.runsInStep, 2);
  assert.equal(c.energyJ, slurmJ);
  assert.ok(Math.abs(c.differencePct! - ((slurmJ - sum) / sum) * 100) < 1e-9);
  assert.ok(Math.abs(c.differencePct!) <= 10 && c.warning === undefined);
  // Slurm reporting 0 J for the step: a warning.
  const zero = await context(runs, [
    { cmd: 'scontrol', args: /^show config$/, result: ok('AcctGatherEnergyType    = acct_gather_energy/rapl\n') },
    { cmd: 'sacct', result: ok('77.batch|0|00:03\n') },
  ]);
  assert.match((await campaignStatus(id, zero.ctx)).energyChecks.get('cpu/q16-r0')!.warning!, /Slurm reports 0 J energy for step 77\.batch/);
  // sacct needs slurmdbd: without it, said.
  const nodbd = await context(runs, [
    { cmd: 'scontrol', args: /^show config$/, result: ok('AcctGatherEnergyType    = acct_gather_energy/rapl\n') },
    { cmd: 'sacct', result: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' } },
  ]);
  const st3 = await campaignStatus(id, nodbd.ctx);
  assert.match(st3.energy.reason!, /Slurm gathers energy \(acct_gather_energy\/rapl\) but sacct cannot say \(sacct: Slurm accounting storage is disabled\); sacct needs slurmdbd/);
});

test("--prepare writes the campaign for another scheduler's array tasks (OAR), which run bench --campaign-file F --task I", async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-campaign-'));
  const { ctx, fake } = await context(runs, []);
  const r = await submitCampaign(plan(runs, PLAN('{ name: nova, executor: local }', '  queries: [16]\n  repetitions: 2\n')), { prepare: true }, ctx);
  assert.equal(r.prepared, true);
  assert.deepEqual(fake.calls, [], 'Slurm is not asked');
  const file = r.targets[0]!.script!;
  assert.ok(file.endsWith('/targets/nova.json') && existsSync(file));
  assert.deepEqual((await campaignStatus(r.id, ctx)).counts, { pending: 2, running: 0, done: 0, failed: 0 });
  // OAR task 1 of array 900 (OAR_ARRAY_INDEX counts from 1): the run at index 0.
  const saved = { ...process.env };
  Object.assign(process.env, { OAR_JOB_ID: '901', OAR_ARRAY_ID: '900', OAR_ARRAY_INDEX: '1' });
  let code: number;
  try {
    code = await runCli(['bench', '--campaign-file', file, '--task', '0', '--runs-dir', runs, '--cache-dir', CACHE], { stdout: () => undefined, stderr: () => undefined });
  } finally {
    for (const k of ['OAR_JOB_ID', 'OAR_ARRAY_ID', 'OAR_ARRAY_INDEX']) if (saved[k] === undefined) Reflect.deleteProperty(process.env, k); else process.env[k] = saved[k];
  }
  assert.equal(code, 0);
  const st = await campaignStatus(r.id, ctx);
  assert.deepEqual(st.counts, { pending: 1, running: 0, done: 1, failed: 0 });
  const done = st.runs.find((x) => x.state === 'done')!;
  const m = JSON.parse(readFileSync(join(runs, done.bundles[0]!, 'manifest.json'), 'utf8')) as { host: { scheduler: unknown }; workload: { campaignId: string; campaignKey: string } };
  assert.deepEqual(m.host.scheduler, { kind: 'oar', jobId: '901', arrayJobId: '900', arrayTaskId: '1' });
  assert.deepEqual([m.workload.campaignId, m.workload.campaignKey], [`${r.id}-nova`, done.key]);
});
