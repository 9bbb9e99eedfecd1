/**
 * A campaign on disk: `<runsDir>/campaigns/<id>/`, beside the bundles it produces, so that a
 * shared runs directory holds everything the nodes need and everything `status` reads.
 *
 * ```
 * <runsDir>/campaigns/<id>/
 *   campaign.json        this record: the plan, its targets, every submission (job ids, tasks)
 *   plan.yaml            the plan file as it was given
 *   targets/<name>.json  each target's bench campaign (inferprint.campaign/1): its runs in order
 *   slurm/<name>-<n>.sbatch  each script submitted
 *   logs/<name>-<job>_<task>.out  each task's output (local runs: <name>-local_<task>.out)
 * ```
 *
 * Only the commands run on the submitting machine (`submit`, `resume`, `cancel`) write
 * `campaign.json`, under the campaign's lock; array tasks never do (they run at the same time
 * on other nodes), they write bundles.
 */
import { join } from 'node:path';
import { writeTextAtomically } from '../../io/atomic-write.js';
import { errors, isInferprintError } from '../../errors.js';
import { readRegularFile } from '../../io/regular-file.js';
import type { Executor, Plan } from '../plan.js';

export const CAMPAIGN_RECORD_SCHEMA = 'inferprint.cluster-campaign/1';

export interface TargetRecord {
  readonly name: string;
  readonly executor: Executor;
  /** The target's bench campaign file, relative to the campaign directory. */
  readonly campaignFile: string;
  /** Its id (`workload.campaignId` of its bundles). */
  readonly benchCampaignId: string;
  /** Planned runs (array task ids 0 to runs − 1). */
  readonly runs: number;
}

export interface Submission {
  readonly target: string;
  /** Slurm's array job id. */
  readonly jobId: string;
  /** The array task ids submitted (= run indices). */
  readonly indices: readonly number[];
  readonly submittedAt: string;
  /** The script, relative to the campaign directory. */
  readonly script: string;
  readonly by: 'submit' | 'resume';
}

export interface CampaignRecord {
  readonly schema: typeof CAMPAIGN_RECORD_SCHEMA;
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** The plan file as given (absolute path). */
  readonly planFile: string;
  readonly runsDir: string;
  readonly plan: Plan;
  readonly targets: readonly TargetRecord[];
  readonly submissions: readonly Submission[];
  /** Set by `cancel`, cleared by `resume`. */
  readonly cancelledAt?: string;
}

export { campaignsRoot } from '../../runs/io/runs-dir.js';
import { campaignsRoot } from '../../runs/io/runs-dir.js';
import { parseJsonText } from '../../json-text.js';
export const campaignDir = (runsDir: string, id: string): string => join(campaignsRoot(runsDir), id);
export const recordPath = (runsDir: string, id: string): string => join(campaignDir(runsDir, id), 'campaign.json');

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function writeRecord(r: CampaignRecord): Promise<void> {
  await writeTextAtomically(recordPath(r.runsDir, r.id), `${JSON.stringify(r, null, 2)}\n`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record lists a plan and its targets: a few kB, a plan of thousands of targets well under 1 MiB. */
const MAX_RECORD_BYTES = 16 << 20;

/** The campaign `id` of `runsDir`, checked enough that the commands can trust it. */
export async function readRecord(runsDir: string, id: string): Promise<CampaignRecord> {
  if (!ID.test(id)) throw errors.usage(`not a campaign id: '${id}'`, 'ID');
  const path = recordPath(runsDir, id);
  let text: string;
  try {
    // inferprint writes this file, but it sits in a folder others can write to: a FIFO or a
    // huge file in its place is refused, not waited on or read whole (a record is a few kB).
    text = await readRegularFile(path, { links: 'follow', what: 'campaign record', maxBytes: MAX_RECORD_BYTES });
  } catch (e) {
    if (isInferprintError(e) && e.code === 'NOT_FOUND') throw errors.notFound(path, `campaign ${id} (no campaign.json; the runs directory is ${runsDir})`);
    throw e;
  }
  const j = parseJsonText(text, path);
  const bad = (field: string, what: string) => errors.parse({ file: path, field }, what);
  if (!isRecord(j)) throw bad('schema', 'expected a JSON object');
  if (j.schema !== CAMPAIGN_RECORD_SCHEMA) throw bad('schema', `expected ${CAMPAIGN_RECORD_SCHEMA}, got ${JSON.stringify(j.schema)}`);
  for (const k of ['id', 'name', 'createdAt', 'planFile', 'runsDir'] as const) if (typeof j[k] !== 'string') throw bad(k, 'expected a string');
  if (!isRecord(j.plan)) throw bad('plan', 'expected an object');
  if (!Array.isArray(j.targets) || !j.targets.every((t) => isRecord(t) && typeof t.name === 'string' && (t.executor === 'slurm' || t.executor === 'local') && typeof t.campaignFile === 'string' && typeof t.benchCampaignId === 'string' && typeof t.runs === 'number')) {
    throw bad('targets', 'expected [{name, executor, campaignFile, benchCampaignId, runs}]');
  }
  if (!Array.isArray(j.submissions) || !j.submissions.every((s) => isRecord(s) && typeof s.target === 'string' && typeof s.jobId === 'string' && Array.isArray(s.indices) && s.indices.every((i) => typeof i === 'number'))) {
    throw bad('submissions', 'expected [{target, jobId, indices, submittedAt, script}]');
  }
  if (j.id !== id) throw bad('id', `the record says ${JSON.stringify(j.id)}, its folder ${JSON.stringify(id)}`);
  // The runs directory is where it was found now (a copy of the store moved elsewhere still reads).
  return { ...(j as unknown as CampaignRecord), runsDir };
}
