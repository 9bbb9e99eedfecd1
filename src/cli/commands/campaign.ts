import { hostname } from 'node:os';
import { relative } from 'node:path';
import { cancelCampaign, campaignStatus, resumeCampaign, submitCampaign, type CampaignContext, type CampaignStatus } from '../../campaign/io/campaign.js';
import { EXECUTORS, type Executor } from '../../campaign/plan.js';
import { processExec } from '../../campaign/io/slurm.js';
import type { RunStatus } from '../../campaign/states.js';
import { resolveModelCacheDir } from '../../benchmark/bert/io/model-cache.js';
import { errors } from '../../errors.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import { defaultSensorEnv } from '../../sensors/io/env.js';
import type { CliContext, Command } from '../command.js';
import { durationParser, tableOrJsonParser } from '../flags.js';
import { renderJson, renderTable, type Column } from '../output.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags, requireApplicable, type RawValues } from '../spec.js';


const TIMEOUT_DEFAULT = '2h';
const EVERY_DEFAULT = '10s';

export const CAMPAIGN_FLAGS = defineFlags({
  executor: { type: 'string', value: 'E', for: ['submit'], parse: (raw) => parseExecutor(raw), help: 'run every target with this executor (local: try a plan here first)' },
  'dry-run': { type: 'boolean', for: ['submit', 'resume'], help: 'submit, resume: check and print what would be submitted; nothing is written' },
  prepare: {
    type: 'boolean',
    for: ['submit'],
    help: [
      'submit: write the campaign folder and each target\'s campaign file, submit and',
      "run nothing: for another scheduler's job arrays (OAR), whose task I runs",
      'inferprint bench --campaign-file DIR/campaigns/ID/targets/T.json --task I',
    ],
  },
  wait: {
    type: 'boolean',
    for: ['status'],
    help: [`status: ask again every --every (default ${EVERY_DEFAULT}) until no run is pending or`, `running, at most --timeout (default ${TIMEOUT_DEFAULT})`],
  },
  // Described with --wait.
  timeout: { type: 'string', value: 'DURATION', for: ['status'], hidden: true, default: TIMEOUT_DEFAULT, parse: durationParser('2h'), help: 'status --wait: the longest wait' },
  every: { type: 'string', value: 'DURATION', for: ['status'], hidden: true, default: EVERY_DEFAULT, parse: durationParser('10s'), help: 'status --wait: how often to ask' },
  'runs-dir': {
    type: 'string',
    value: 'DIR',
    help: ['the shared runs directory (default $INFERPRINT_RUNS_DIR, else the XDG data dir);', 'compute nodes must be able to write it (NFS, Lustre, ...)'],
  },
  'cache-dir': { type: 'string', value: 'DIR', for: ['submit', 'resume'], help: 'model cache of local runs' },
  format: { type: 'string', value: 'F', default: 'table', showDefault: false, parse: tableOrJsonParser('campaign'), help: 'table (default) or json' },
});

const SPEC = defineCommand({
  flags: CAMPAIGN_FLAGS,
  subcommands: ['submit', 'status', 'resume', 'cancel'],
  refuse: (flag, sub) => `--${flag} does not apply to 'campaign ${sub}'`,
  args: { submit: [1, 1], status: [1, 1], resume: [1, 1], cancel: [1, 1] },
});

const HELP = `Usage:
  inferprint campaign submit PLAN.yaml [--executor slurm|local] [--dry-run | --prepare] [--runs-dir DIR]
  inferprint campaign status ID [--wait [--timeout 2h] [--every 10s]] [--format table|json]
  inferprint campaign resume ID [--dry-run]
  inferprint campaign cancel ID

A plan of bench campaigns run as one Slurm job array per target (or here, one run after the
other), every run's bundle written into one runs directory.

  submit  check the plan (partitions, sbatch, the model, the runs directory) before anything
          is written; expand it into runs (every query count x repetition, in bench's seeded
          shuffled order); write the campaign folder (DIR/campaigns/ID/); submit each Slurm
          target as a job array (--array=0-(n-1)%max_parallel, --exclusive unless the plan
          says exclusive: false) whose tasks each run one run; run local targets here
  status  each run: pending, running, done or failed (from the bundles, squeue and what Slurm
          remembers of ended jobs), with its job, node and log; Slurm's energy of each run's
          step beside the bundle's where Slurm gathers energy (AcctGatherEnergyType)
  resume  submit again (run again, for a local target) only the runs with no completed bundle
          that are not queued
  cancel  scancel the campaign's jobs still queued or running

The plan file (YAML or JSON):

  name: study-mini
  targets:
    - { name: cpu, executor: slurm, partition: debug, exclusive: true, max_parallel: 4 }
  runs:
    model: synthetic:bert-tiny
    scenario: SingleStream
    queries: [16, 32]
    repetitions: 2
    sensor: estimate

Target keys: name, executor (slurm|local), partition, constraint, gres, account, qos,
time_limit, exclusive (default true), max_parallel, cpus_per_task, mem, sbatch_args, setup
(shell lines before inferprint, e.g. module load), and sensor, provider, hardware overriding
runs. Runs keys: model, scenario, queries, repetitions (default 10), target_qps, batch_size,
sensor (default auto), interval, cooldown, seed, provider, hardware, grid, label, sut
(onnxruntime|http), url, model_name. Top level: inferprint (how a node starts inferprint),
cache_dir (the nodes' model cache). See docs/guide.md, "Campaigns on Slurm".

Options:
${optionLines(CAMPAIGN_FLAGS, { width: 19 })}
`;

type Values = RawValues<typeof CAMPAIGN_FLAGS>;

function parseExecutor(raw: string): Executor {
  const executor = EXECUTORS.find((e) => e === raw);
  if (executor === undefined) throw errors.usage(`expected ${EXECUTORS.join(' or ')}, got '${raw}'`, '--executor');
  return executor;
}

/** Flags that belong to other subcommands are refused, not silently ignored (the table says which go where). */
function only(v: Values, sub: string): void {
  requireApplicable(SPEC, v, sub);
}

async function contextOf(ctx: CliContext, v: Values): Promise<CampaignContext> {
  return {
    runsDir: resolveRunsDir({ flag: v['runs-dir'], env: ctx.env, cwd: ctx.cwd }),
    cacheDir: resolveModelCacheDir({ flag: v['cache-dir'], env: ctx.env, cwd: ctx.cwd }).path,
    cwd: ctx.cwd,
    env: ctx.env,
    sensorEnv: { ...(await defaultSensorEnv()), env: ctx.env },
    exec: processExec(ctx.env),
    hostname: hostname().split('.')[0]!,
    onStatus: (line) => { ctx.stderr(`${line}\n`); },
    signals: process,
  };
}

const oneId = (rest: readonly string[], sub: string): string => {
  if (rest.length !== 1) throw errors.usage(rest.length === 0 ? `'campaign ${sub}' needs the campaign ID (printed by submit; folders in RUNS_DIR/campaigns/)` : `'campaign ${sub}' takes one ID, got ${rest.length}`, 'ID');
  return rest[0]!;
};

export const campaignCommand: Command = {
  name: 'campaign',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, CAMPAIGN_FLAGS);
    const { values, positionals } = f;
    const [sub, ...rest] = positionals;
    const format = f.get('format');
    switch (sub) {
      case 'submit': {
        only(values, 'submit');
        if (values['dry-run'] === true && values.prepare === true) throw errors.usage('--dry-run writes nothing, --prepare writes the campaign folder: give one', '--prepare');
        if (rest.length !== 1) throw errors.usage(rest.length === 0 ? "'campaign submit' needs a plan file (YAML or JSON)" : `'campaign submit' takes one plan file, got ${rest.length}`, 'PLAN');
        const executor = f.get('executor');
        const c = await contextOf(ctx, values);
        const r = await submitCampaign(rest[0]!, { ...(executor ? { executor } : {}), dryRun: values['dry-run'] === true, prepare: values.prepare === true }, c);
        if (format === 'json') ctx.stdout(renderJson(r));
        else if (r.prepared) {
          const lines = [`campaign ${r.id}: prepared in ${r.dir}; nothing submitted, nothing run`];
          for (const t of r.targets) lines.push(`  ${t.target}: ${t.runs} run(s): inferprint bench --campaign-file ${t.script} --task I (I from 0 to ${t.runs - 1})`);
          lines.push(`status: inferprint campaign status ${r.id}${values['runs-dir'] !== undefined ? ` --runs-dir ${values['runs-dir']}` : ''}`);
          ctx.stdout(`${lines.join('\n')}\n`);
        }
        else if (r.dryRun) {
          const lines = [`dry run: campaign would be ${r.id} in ${r.dir}; nothing written, nothing submitted`];
          for (const t of r.targets) {
            lines.push('', `target ${t.target} (${t.executor}): ${t.runs} run(s)${t.executor === 'local' ? ', one after the other on this machine' : ''}`);
            if (t.scriptText !== undefined) lines.push(t.scriptText.trimEnd());
          }
          ctx.stdout(`${lines.join('\n')}\n`);
        } else {
          const lines = [`campaign ${r.id}`];
          for (const t of r.targets) {
            lines.push(t.executor === 'slurm' ? `  ${t.target}: job array ${t.jobId} of ${t.runs} task(s) (script ${t.script})` : `  ${t.target}: ${t.done} of ${t.runs} run(s) done here${t.failed ? `, ${t.failed} failed` : ''}`);
          }
          lines.push(`status: inferprint campaign status ${r.id}${values['runs-dir'] !== undefined ? ` --runs-dir ${values['runs-dir']}` : ''}`);
          ctx.stdout(`${lines.join('\n')}\n`);
        }
        return r.targets.some((t) => (t.failed ?? 0) > 0) ? 1 : 0;
      }
      case 'status': {
        only(values, 'status');
        const id = oneId(rest, 'status');
        if (values.wait !== true && (values.timeout !== undefined || values.every !== undefined)) throw errors.usage('--timeout and --every go with --wait', values.timeout !== undefined ? '--timeout' : '--every');
        const c = await contextOf(ctx, values);
        const timeoutS = f.get('timeout');
        const everyS = f.get('every');
        const deadline = Date.now() + timeoutS * 1000;
        let st = await campaignStatus(id, c);
        while (values.wait === true && st.counts.pending + st.counts.running > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, everyS * 1000));
          st = await campaignStatus(id, c);
        }
        ctx.stdout(format === 'json' ? renderJson(statusJson(st)) : statusText(st, c.runsDir));
        if (values.wait !== true) return 0;
        if (st.counts.pending + st.counts.running > 0) {
          ctx.stderr(`inferprint campaign: still ${st.counts.pending} pending and ${st.counts.running} running after ${timeoutS} s\n`);
          return 1;
        }
        return st.counts.failed > 0 ? 1 : 0;
      }
      case 'resume': {
        only(values, 'resume');
        const id = oneId(rest, 'resume');
        const r = await resumeCampaign(id, { dryRun: values['dry-run'] === true }, await contextOf(ctx, values));
        if (format === 'json') ctx.stdout(renderJson(r));
        else {
          const lines = [`campaign ${r.id}: ${r.alreadyDone} run(s) done, ${r.inQueue} queued or running (left alone)`];
          if (r.targets.length === 0) lines.push('nothing to submit again');
          for (const t of r.targets) {
            const what = r.dryRun ? 'would submit again' : t.executor === 'slurm' ? `submitted again as job array ${t.jobId}` : `ran again here: ${t.done} done${t.failed ? `, ${t.failed} failed` : ''}`;
            lines.push(`  ${t.target}: ${t.indices.length} run(s) (tasks ${t.indices.join(',')}) ${what}`);
          }
          ctx.stdout(`${lines.join('\n')}\n`);
        }
        return r.targets.some((t) => (t.failed ?? 0) > 0) ? 1 : 0;
      }
      case 'cancel': {
        only(values, 'cancel');
        const id = oneId(rest, 'cancel');
        const r = await cancelCampaign(id, await contextOf(ctx, values));
        if (format === 'json') ctx.stdout(renderJson(r));
        else {
          ctx.stdout(r.jobs.length > 0 ? `campaign ${r.id}: cancelled job(s) ${r.jobs.join(', ')} (${r.tasks} task(s) queued or running); completed bundles stay; resume with: inferprint campaign resume ${r.id}\n` : `campaign ${r.id}: no job queued or running; nothing to cancel\n`);
          if (r.localTargets.length > 0) ctx.stderr(`inferprint campaign: local target(s) ${r.localTargets.join(', ')} run in the foreground of their command: stop them there (Ctrl-C)\n`);
        }
        return 0;
      }
      default:
        throw errors.usage(sub === undefined ? 'expected a subcommand: submit, status, resume or cancel' : `unknown subcommand '${sub}' (expected submit, status, resume or cancel)`);
    }
  },
};

function statusJson(st: CampaignStatus) {
  return {
    campaign_id: st.record.id,
    name: st.record.name,
    runs_dir: st.record.runsDir,
    cancelled_at: st.record.cancelledAt ?? null,
    counts: st.counts,
    energy_accounting: st.energy,
    notes: st.notes,
    targets: st.record.targets.map((t) => ({ name: t.name, executor: t.executor, runs: t.runs, jobs: st.record.submissions.filter((s) => s.target === t.name).map((s) => ({ job_id: s.jobId, tasks: s.indices, submitted_at: s.submittedAt, by: s.by })) })),
    runs: st.runs.map((r) => ({
      target: r.target,
      task: r.index,
      key: r.key,
      query_count: r.queryCount,
      repetition: r.repetition,
      state: r.state,
      detail: r.detail,
      job: r.job ?? null,
      node: r.node ?? null,
      bundles: r.bundles,
      log: r.log ?? null,
      log_tail: r.logTail ?? null,
      slurm_energy: st.energyChecks.get(`${r.target}/${r.key}`) ?? null,
    })),
  };
}

function statusText(st: CampaignStatus, runsDir: string): string {
  const n = st.counts;
  const total = st.runs.length;
  const cols: Column<RunStatus>[] = [
    { key: 'target', header: 'target', value: (r) => r.target },
    { key: 'task', header: 'task', value: (r) => r.index, align: 'right' },
    { key: 'run', header: 'run', value: (r) => r.key },
    { key: 'state', header: 'state', value: (r) => r.state },
    { key: 'job', header: 'job', value: (r) => r.job },
    { key: 'node', header: 'node', value: (r) => r.node },
    { key: 'detail', header: 'detail', value: (r) => r.detail },
    { key: 'log', header: 'log', value: (r) => (r.log !== undefined ? relative(runsDir, r.log) : undefined) },
  ];
  if (st.energy.available) {
    cols.splice(7, 0, {
      key: 'slurm',
      header: 'Slurm vs bundle',
      value: (r) => {
        const c = st.energyChecks.get(`${r.target}/${r.key}`);
        return c === undefined ? undefined : c.differencePct === null ? 'n/a' : `${c.differencePct > 0 ? '+' : ''}${c.differencePct.toFixed(1)} %`;
      },
    });
  }
  const lines = [
    `campaign ${st.record.id}${st.record.cancelledAt !== undefined ? ` (cancelled at ${st.record.cancelledAt})` : ''}: ${total} run(s): ${n.done} done, ${n.running} running, ${n.pending} pending, ${n.failed} failed`,
    '',
    renderTable(cols, st.runs).trimEnd(),
    '',
    st.energy.available ? `Slurm's energy accounting (${st.energy.plugin ?? '?'}): sacct of each run's step beside the bundle's energy` : `Slurm's energy accounting: ${st.energy.reason ?? 'not available'}`,
  ];
  for (const r of st.runs) if (r.logTail !== undefined) lines.push(`${r.target} task ${r.index} (${r.key}) failed; its log ends: ${r.logTail}`);
  for (const c of st.energyChecks.values()) if (c.warning !== undefined) lines.push(`warning: ${c.warning}`);
  for (const note of st.notes) lines.push(`note: ${note}`);
  lines.push(`logs are relative to ${runsDir}`);
  if (n.failed > 0 || (n.pending > 0 && st.runs.some((r) => r.detail === 'not submitted'))) lines.push(`to run what is missing: inferprint campaign resume ${st.record.id}`);
  else if (n.done === total) lines.push(`all done: inferprint analyze ${runsDir}`);
  return `${lines.join('\n')}\n`;
}
