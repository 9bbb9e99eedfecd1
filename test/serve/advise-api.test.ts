// The dashboard's Advise API against a real server: the workload files of the runs directory
// (only plain YAML/JSON files at its top level: bundles, links, dot files and other files are
// not), one file's advice computed over the runs directory as the runs store (the same answer as
// the command), its figures, and every way a request or a file could reach outside the runs
// directory refused with a one-line 4xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdviceResult } from '../../src/advise/advise.js';
import { adviseFile } from '../../src/advise/io/load.js';
import { startDashboard, type Dashboard } from '../../src/serve/server.js';
import { writeSmallStore } from '../report/helpers.js';
import { getJson, rawRequest } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-advise-api-'));
const runsDir = join(root, 'runs');
let d: Dashboard | undefined;
const url = (): string => {
  assert.ok(d, 'started');
  return d.url;
};

/** Every value in the file but the board's service time and busy power: those come from the runs store's bench bundles of AGX-Orin. */
const VALID = `name: api test
users: 500
queries_per_user_per_day: 20
slo: { percentile: 90, latency_ms: 300 }
days: 30
deployments:
  - name: pool
    hardware: A100
    placement: pooled
    grid: 100
    pue: 1.2
    power: { idle_w: 60, busy_w: 250, host_w: 50 }
    service_ms: { value: 5, min: 4, max: 7 }
    embodied: { kg: 150, host_kg: 300 }
  - name: boards
    hardware: AGX-Orin
    placement: dedicated
    users_per_device: 25
    grid: 100
    pue: 1.0
    power: { idle_w: 8 }
    embodied: { kg: 30 }
`;

before(async () => {
  mkdirSync(runsDir, { recursive: true });
  await writeSmallStore(runsDir);
  writeFileSync(join(runsDir, 'valid.yaml'), VALID);
  writeFileSync(join(runsDir, 'also.json'), JSON.stringify({ users: 10, queries_per_user_per_day: 5, slo: { percentile: 50, latency_ms: 1000 }, deployments: [{ name: 'one', hardware: 'T4', placement: 'pooled', power: { idle_w: 30 }, service_ms: 10 }] }));
  writeFileSync(join(runsDir, 'broken.yml'), 'users: 100\nqueries_per_user_per_day: 10\nslo: { percentile: 90, latency_ms: 100 }\ndeployments:\n  - name: x\n    hardware: A100\n    placment: pooled\n');
  writeFileSync(join(runsDir, '.hidden.yaml'), VALID);
  writeFileSync(join(runsDir, 'notes.txt'), 'not a workload');
  // A link to a workload elsewhere: never listed, never read.
  writeFileSync(join(root, 'outside.yaml'), VALID);
  symlinkSync(join(root, 'outside.yaml'), join(runsDir, 'linked.yaml'));
  // Workloads whose paths leave the runs directory.
  mkdirSync(join(root, 'elsewhere'));
  writeFileSync(join(runsDir, 'escape.yaml'), `${VALID}profiles_from: ../elsewhere\n`);
  writeFileSync(join(runsDir, 'absolute.yaml'), `${VALID}profiles_from: ${join(root, 'elsewhere')}\n`);
  symlinkSync(join(root, 'elsewhere'), join(runsDir, 'door'));
  writeFileSync(join(runsDir, 'through-link.yaml'), `${VALID}profiles_from: door\n`);
  writeFileSync(join(runsDir, 'inside.yaml'), `${VALID}profiles_from: .\n`);
  d = await startDashboard({ runsDir, log: () => undefined });
});
after(async () => {
  await d?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Listing {
  workloads: { name: string; sizeBytes: number; modifiedAt: string; title: string | null; error: string | null }[];
  where: string;
}

test('GET /api/advise lists the plain YAML and JSON files of the runs directory, parsed or not; no bundle, link, dot file or other file', async () => {
  const r = await getJson<Listing>(url(), '/api/advise');
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.workloads.map((w) => w.name),
    ['absolute.yaml', 'also.json', 'broken.yml', 'escape.yaml', 'inside.yaml', 'through-link.yaml', 'valid.yaml'],
  );
  const valid = r.body.workloads.find((w) => w.name === 'valid.yaml')!;
  assert.equal(valid.title, 'api test');
  assert.equal(valid.error, null);
  assert.equal(valid.sizeBytes, Buffer.byteLength(VALID));
  const broken = r.body.workloads.find((w) => w.name === 'broken.yml')!;
  assert.match(broken.error!, /^broken\.yml:7 field 'deployments\[0\]\.placment'.*placement/);
  assert.ok(!broken.error!.includes(root), 'no absolute path');
  assert.match(r.body.where, /\*\.yaml, \*\.yml or \*\.json/);
  // The run listing is not disturbed by the files beside the bundles; it reports the links, as
  // `runs list` does (the one scanner: a link is never followed, whatever it points to).
  const runs = await getJson<{ total: number; skipped: { id: string; error: string }[] }>(url(), '/api/runs');
  assert.equal(runs.body.total, 12);
  assert.deepEqual(runs.body.skipped.map((s) => s.id), ['door', 'linked.yaml']);
  for (const s of runs.body.skipped) assert.match(s.error, /symbolic link, not followed/);
});

test('GET /api/advise/:name is the advice the command gives for that file over the runs directory', async () => {
  const r = await getJson<AdviceResult>(url(), '/api/advise/valid.yaml');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers['cache-control'], 'no-store');
  const cli = await adviseFile('valid.yaml', { cwd: runsDir, runsDir });
  assert.equal(r.body.file, 'valid.yaml');
  assert.deepEqual(r.body.deployments.map((x) => x.name), ['pool', 'boards']);
  for (const [k, dep] of r.body.deployments.entries()) {
    assert.equal(dep.total_kg.value, cli.deployments[k]!.total_kg.value);
    assert.equal(dep.total_kg.p95, cli.deployments[k]!.total_kg.p95);
  }
  assert.equal(r.body.montecarlo.draws, 10_000);
  // The board's service time comes from the runs store's SingleStream bundles, named without the path.
  const service = r.body.deployments[1]!.inputs.find((i) => i.name === 'service_ms')!;
  assert.equal(service.origin, 'measured');
  assert.match(service.source, /^measured: the runs directory \(6 runs; SingleStream/);
  assert.ok(!JSON.stringify(r.body).includes(root), 'the runs directory is not named by its path');
  // Fewer draws on request; the JSON files too.
  const quick = await getJson<AdviceResult>(url(), '/api/advise/valid.yaml?draws=0&seed=3');
  assert.equal(quick.status, 200);
  assert.deepEqual(quick.body.montecarlo.draws, 0);
  assert.equal(quick.body.deployments[0]!.total_kg.p5, quick.body.deployments[0]!.total_kg.value);
  assert.equal((await getJson<AdviceResult>(url(), '/api/advise/also.json?draws=0')).status, 200);
});

test('GET /api/advise/:name/figures: the footprint, break-even and sensitivity figures as Vega-Lite specs', async () => {
  const r = await getJson<{ figures: { id: string; title: string; spec: { $schema: string; title: { subtitle: string[] } } }[] }>(url(), '/api/advise/valid.yaml/figures?draws=500');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.figures.map((f) => f.id), ['advise-footprint', 'advise-break-even', 'advise-sensitivity']);
  for (const f of r.body.figures) {
    assert.match(f.spec.$schema, /vega-lite/);
    assert.ok(f.spec.title.subtitle.some((l) => /500 draws, seed 1 · inferprint/.test(l)), f.id);
  }
});

test('a malformed workload file is a 422 with its one-line message; names and parameters that are not plain are 400', async () => {
  const broken = await getJson<{ error: string }>(url(), '/api/advise/broken.yml');
  assert.equal(broken.status, 422);
  assert.match(broken.body.error, /^broken\.yml:7 field 'deployments\[0\]\.placment': unknown key.*placement.*\[PARSE\]$/);
  assert.ok(!broken.body.error.includes('\n'));
  for (const [target, status, reason] of [
    ['/api/advise/missing.yaml', 404, /no workload file missing\.yaml/],
    ['/api/advise/notes.txt', 400, /invalid workload file name/],
    ['/api/advise/.hidden.yaml', 400, /invalid workload file name/],
    ['/api/advise/..%2Foutside.yaml', 400, /separator/],
    ['/api/advise/%2e%2e', 400, /'\.' or '\.\.'/],
    ['/api/advise/linked.yaml', 404, /symbolic link/],
    ['/api/advise/valid.yaml?draws=many', 400, /'draws' must be a whole number/],
    ['/api/advise/valid.yaml?draws=1000000', 400, /'draws' must be a whole number from 0 to 100000/],
    ['/api/advise/valid.yaml?colour=red', 400, /unknown query parameter 'colour'/],
    ['/api/advise?draws=1', 400, /unknown query parameter 'draws'/],
    ['/api/advise/valid.yaml/other', 404, /no API endpoint/],
  ] as const) {
    const r = await rawRequest(url(), target);
    assert.equal(r.status, status, `${target}: ${r.body}`);
    assert.match((JSON.parse(r.body) as { error: string }).error, reason, target);
  }
});

test("paths a workload names must stay inside the runs directory, with no symbolic link on the way", async () => {
  for (const [name, reason] of [
    ['escape.yaml', /profiles_from "\.\.\/elsewhere" leaves the runs directory/],
    ['absolute.yaml', /profiles_from ".*elsewhere" is outside the runs directory/],
    ['through-link.yaml', /profiles_from "door" leads outside the runs directory through a symbolic link/],
  ] as const) {
    const r = await getJson<{ error: string }>(url(), `/api/advise/${name}?draws=0`);
    assert.equal(r.status, 422, name);
    assert.match(r.body.error, reason, name);
    assert.match(r.body.error, new RegExp(`^${name.replace('.', '\\.')}: `));
  }
  // The runs directory itself, named as `.`: allowed (it is the runs store anyway).
  const inside = await getJson<AdviceResult>(url(), '/api/advise/inside.yaml?draws=0');
  assert.equal(inside.status, 200, JSON.stringify(inside.body));
});

test('the Advise page is served with the strict policy, and every page links to it', async () => {
  const page = await rawRequest(url(), '/advise.html');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'(;|$)/);
  assert.ok(!/unsafe-eval/.test(String(page.headers['content-security-policy'])));
  assert.match(page.body, /<script type="module" src="\/static\/advise\.js"><\/script>/);
  assert.equal((await rawRequest(url(), '/static/advise.js')).status, 200);
  for (const p of ['/', '/run.html', '/compare.html', '/hardware.html', '/live.html', '/advise.html']) {
    assert.match((await rawRequest(url(), p)).body, /<a href="\/advise\.html">Advise<\/a>/, p);
  }
  const index = await getJson<{ endpoints: string[] }>(url(), '/api');
  assert.ok(index.body.endpoints.includes('GET /api/advise'));
});
