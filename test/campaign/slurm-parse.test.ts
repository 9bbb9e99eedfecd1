/**
 * Slurm's output, parsed. The squeue and scontrol samples were recorded from Slurm 22.05.8
 * (Debian 12's slurm-wlm, scripts/slurm-local.sh) on 2026-12-06 with the options slurm.ts
 * gives; the sacct samples are written from sacct(1) (Slurm 22.05: `-P`/`--parsable2` is
 * `|`-delimited with no trailing `|`; `ConsumedEnergyRaw` is joules; `Elapsed` is
 * `[DD-[HH:]]MM:SS`), since the one-node Slurm of the tests has no accounting database, with
 * the job and step layout of a real job (ARCHER2's user guide shows one: `2658300`,
 * `2658300.batch`, `2658300.extern`, `2658300.0`, 4.57 MJ over 02:19:09).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arraySpec,
  energyGathered,
  expandArraySpec,
  isActiveState,
  isStartedState,
  parseElapsedS,
  parseEnergyGatherType,
  parsePartitions,
  parseSacctEnergy,
  parseSacctStates,
  parseSbatchParsable,
  parseScontrolJobs,
  parseSqueue,
  scontrolFields,
} from '../../src/campaign/slurm-parse.js';

test('sinfo -h -o %P: partitions, the default one without its star', () => {
  assert.deepEqual(parsePartitions('debug*\n'), ['debug']);
  assert.deepEqual(parsePartitions('cpu*\ngpu\ngpu\n\n'), ['cpu', 'gpu']);
  assert.deepEqual(parsePartitions(''), []);
});

test('sbatch --parsable: the job id, with or without the cluster', () => {
  assert.equal(parseSbatchParsable('14\n'), '14');
  assert.equal(parseSbatchParsable('123456;grid5000\n'), '123456');
  assert.equal(parseSbatchParsable('sbatch: error: Batch job submission failed\n'), undefined);
});

// squeue -h -r -j 14 -o '%i|%F|%K|%T|%N|%R', an array of 4 throttled to 1, task 0 running.
const SQUEUE = `14_1|14|1|PENDING||(JobArrayTaskLimit)
14_2|14|2|PENDING||(JobArrayTaskLimit)
14_3|14|3|PENDING||(JobArrayTaskLimit)
14_0|14|0|RUNNING|vm|vm
`;

test('squeue -r: one record per array task, pending ones with their reason', () => {
  const q = parseSqueue(SQUEUE);
  assert.equal(q.length, 4);
  assert.deepEqual(q[0], { arrayJobId: '14', taskId: 1, state: 'PENDING', reason: 'JobArrayTaskLimit' });
  assert.deepEqual(q[3], { arrayJobId: '14', taskId: 0, state: 'RUNNING', nodes: 'vm', reason: 'vm' });
  assert.ok(isActiveState('PENDING') && !isStartedState('PENDING'));
  assert.ok(isActiveState('RUNNING') && isStartedState('RUNNING') && isStartedState('COMPLETING'));
  assert.ok(!isActiveState('COMPLETED') && !isActiveState('CANCELLED by 0') && !isActiveState('FAILED'));
});

// scontrol show job -o 1 after an array of 3 ended: task 2 exited 3, tasks 0 and 1 completed.
const SCONTROL_ENDED = `JobId=1 ArrayJobId=1 ArrayTaskId=2 ArrayTaskThrottle=1 JobName=j.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-06T09:29:31 EligibleTime=2026-12-06T09:29:38 AccrueTime=2026-12-06T09:29:38 StartTime=2026-12-06T09:29:38 EndTime=2026-12-06T09:29:39 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-06T09:29:38 Scheduler=Main Partition=debug AllocNode:Sid=localhost:6211 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=2,node=1,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=NO Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/j.sh WorkDir=/tmp StdErr=/tmp/sl/out-1_2.out StdIn=/dev/null StdOut=/tmp/sl/out-1_2.out Power= 
JobId=3 ArrayJobId=1 ArrayTaskId=1 ArrayTaskThrottle=1 JobName=j.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-06T09:29:31 EligibleTime=2026-12-06T09:29:35 AccrueTime=Unknown StartTime=2026-12-06T09:29:35 EndTime=2026-12-06T09:29:36 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-06T09:29:35 Scheduler=Main Partition=debug AllocNode:Sid=localhost:6211 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=2,node=1,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=NO Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/j.sh WorkDir=/tmp StdErr=/tmp/sl/out-1_1.out StdIn=/dev/null StdOut=/tmp/sl/out-1_1.out Power= 
`;

// scontrol show job -o 14 after scancel: the tasks never started are one record with a range.
const SCONTROL_CANCELLED = `JobId=14 ArrayJobId=14 ArrayTaskId=1-3%1 ArrayTaskThrottle=1 JobName=s.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901754 Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=JobArrayTaskLimit Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A
JobId=15 ArrayJobId=14 ArrayTaskId=0 ArrayTaskThrottle=1 JobName=s.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901754 Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:03 TimeLimit=UNLIMITED NodeList=vm
`;

test('scontrol show job -o: Key=Value fields, values with spaces and colons kept whole', () => {
  const f = scontrolFields('JobId=7 JobName=my job ExitCode=0:15 AllocNode:Sid=localhost:6211 Command=/a b/c.sh');
  assert.equal(f.get('JobName'), 'my job');
  assert.equal(f.get('ExitCode'), '0:15');
  assert.equal(f.get('AllocNode:Sid'), 'localhost:6211');
  assert.equal(f.get('Command'), '/a b/c.sh');
});

test('scontrol show job -o: ended tasks with state, exit code and node', () => {
  const r = parseScontrolJobs(SCONTROL_ENDED);
  assert.deepEqual(r, [
    { arrayJobId: '1', taskId: 2, jobId: '1', state: 'FAILED', nodes: 'vm', reason: 'NonZeroExitCode', exitCode: '3:0' },
    { arrayJobId: '1', taskId: 1, jobId: '3', state: 'COMPLETED', nodes: 'vm', exitCode: '0:0' },
  ]);
});

test('scontrol show job -o: a cancelled range of tasks is one record per task', () => {
  const r = parseScontrolJobs(SCONTROL_CANCELLED);
  assert.deepEqual(r.map((x) => [x.taskId, x.state, x.jobId]), [[1, 'CANCELLED', undefined], [2, 'CANCELLED', undefined], [3, 'CANCELLED', undefined], [0, 'CANCELLED', '15']]);
  assert.equal(r[3]!.exitCode, '0:15');
});

test('array specs: compressed for sbatch, expanded from Slurm', () => {
  assert.equal(arraySpec([0, 1, 2, 3]), '0-3');
  assert.equal(arraySpec([0, 1, 2, 3], 2), '0-3%2');
  assert.equal(arraySpec([7, 3, 2, 9, 8]), '2-3,7-9');
  assert.equal(arraySpec([5]), '5');
  assert.deepEqual(expandArraySpec('1-3%1'), [1, 2, 3]);
  assert.deepEqual(expandArraySpec('[5-9%2]'), [5, 6, 7, 8, 9]);
  assert.deepEqual(expandArraySpec('0,4-6,9'), [0, 4, 5, 6, 9]);
  assert.deepEqual(expandArraySpec('1-7:3'), [1, 4, 7]);
  for (const xs of [[0], [0, 2, 4], [1, 2, 3, 10, 11, 40]]) assert.deepEqual(expandArraySpec(arraySpec(xs, 3)), xs);
});

// sacct -n -P -X -j 9,12 --format=JobID,State,ExitCode,NodeList (with slurmdbd).
const SACCT_STATES = `9_0|COMPLETED|0:0|vm
9_1|COMPLETED|0:0|vm
9_2|CANCELLED by 0|0:0|None assigned
9_[3]|CANCELLED by 0|0:0|None assigned
12_[2-3%1]|PENDING|0:0|None assigned
`;

test('sacct states: array tasks, pending ranges and "CANCELLED by UID"', () => {
  const r = parseSacctStates(SACCT_STATES);
  assert.deepEqual(r.map((x) => [x.arrayJobId, x.taskId, x.state, x.nodes ?? null]), [
    ['9', 0, 'COMPLETED', 'vm'],
    ['9', 1, 'COMPLETED', 'vm'],
    ['9', 2, 'CANCELLED by 0', null],
    ['9', 3, 'CANCELLED by 0', null],
    ['12', 2, 'PENDING', null],
    ['12', 3, 'PENDING', null],
  ]);
  assert.equal(isActiveState('CANCELLED by 0'), false);
});

test("sacct Elapsed: [DD-[HH:]]MM:SS", () => {
  assert.equal(parseElapsedS('00:07'), 7);
  assert.equal(parseElapsedS('02:13'), 133);
  assert.equal(parseElapsedS('02:19:09'), 2 * 3600 + 19 * 60 + 9);
  assert.equal(parseElapsedS('1-02:03:04'), 86400 + 2 * 3600 + 3 * 60 + 4);
  assert.equal(parseElapsedS('12:05.123'), 725.123);
  for (const bad of ['', 'Unknown', '1-02', '5', 'ab:cd']) assert.equal(parseElapsedS(bad), undefined, bad);
});

// sacct -P --format=JobID,ConsumedEnergyRaw,Elapsed -j 2658300.batch,2658300.0,17_3.batch,18.0
const SACCT_ENERGY = `JobID|ConsumedEnergyRaw|Elapsed
2658300.batch|4580341|02:19:48
2658300.0|4572118|02:19:09
17_3.batch|0|00:41
18.0||00:05
`;

test('sacct energy: joules and seconds per step; an empty field is no figure, 0 is zero', () => {
  assert.deepEqual(parseSacctEnergy(SACCT_ENERGY), [
    { step: '2658300.batch', energyJ: 4_580_341, elapsedS: 8388 },
    { step: '2658300.0', energyJ: 4_572_118, elapsedS: 8349 },
    { step: '17_3.batch', energyJ: 0, elapsedS: 41 },
    { step: '18.0', energyJ: null, elapsedS: 5 },
  ]);
  // -p (--parsable) ends every line with a `|`: the same rows.
  assert.deepEqual(parseSacctEnergy('2658300.0|4572118|02:19:09|\n'), [{ step: '2658300.0', energyJ: 4_572_118, elapsedS: 8349 }]);
});

test('scontrol show config: the energy plugin, and whether it gathers anything', () => {
  const none = 'AccountingStorageType   = accounting_storage/none\nAcctGatherEnergyType    = acct_gather_energy/none\nAcctGatherNodeFreq      = 0 sec\n';
  assert.equal(parseEnergyGatherType(none), 'acct_gather_energy/none');
  assert.equal(energyGathered(parseEnergyGatherType(none)), false);
  const rapl = 'AcctGatherEnergyType    = acct_gather_energy/rapl\n';
  assert.equal(energyGathered(parseEnergyGatherType(rapl)), true);
  assert.equal(energyGathered(parseEnergyGatherType('AcctGatherEnergyType    = acct_gather_energy/gpu\n')), true);
  assert.equal(energyGathered(parseEnergyGatherType('ClusterName = x\n')), false);
});
