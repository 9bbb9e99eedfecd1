/**
 * A stand-in for Slurm's client commands, for the tests of what `campaign` does with their
 * answers: each call is recorded, and answered by the first rule whose command and arguments
 * match. The answers are in the commands' real formats (see slurm-parse.test.ts for where those
 * come from). The real thing is in slurm-real.test.ts.
 */
import type { Exec, ExecResult } from '../../src/campaign/io/slurm.js';

export interface Rule {
  readonly cmd: string;
  /** Matched against the arguments joined by spaces. */
  readonly args?: RegExp;
  readonly result: ExecResult | ((args: readonly string[]) => ExecResult);
}

export interface FakeSlurm {
  readonly exec: Exec;
  readonly calls: string[];
}

export const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: '' });
export const missing: ExecResult = { code: null, stdout: '', stderr: 'spawn sbatch ENOENT', missing: true };

export function fakeSlurm(rules: readonly Rule[]): FakeSlurm {
  const calls: string[] = [];
  return {
    calls,
    exec: (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      const rule = rules.find((r) => r.cmd === cmd && (r.args === undefined || r.args.test(args.join(' '))));
      if (!rule) return Promise.resolve({ code: 1, stdout: '', stderr: `fake: no rule for ${cmd} ${args.join(' ')}` });
      return Promise.resolve(typeof rule.result === 'function' ? rule.result(args) : rule.result);
    },
  };
}

/** A cluster with partitions `cpu` (default) and `gpu`, nodes elsewhere, that accepts jobs. */
export const CLUSTER: readonly Rule[] = [
  { cmd: 'sbatch', args: /^--version$/, result: ok('slurm-wlm 22.05.8\n') },
  { cmd: 'sinfo', args: /^-h -o %P$/, result: ok('cpu*\ngpu\n') },
  { cmd: 'sinfo', args: /^-h -p cpu -o %N$/, result: ok('node[01-02]\n') },
  { cmd: 'sinfo', args: /^-h -p gpu -o %N$/, result: ok('gpu01\n') },
  { cmd: 'scontrol', args: /^show hostnames node\[01-02\]$/, result: ok('node01\nnode02\n') },
  { cmd: 'scontrol', args: /^show hostnames gpu01$/, result: ok('gpu01\n') },
  { cmd: 'sbatch', args: /^--parsable /, result: ok('4242\n') },
];
