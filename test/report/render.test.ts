import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { InferprintError } from '../../src/errors.js';
import { reportFigures } from '../../src/report/figures.js';
import { figureFontFiles, renderPng, renderSvg, renumberClipIds } from '../../src/report/io/render.js';
import { pngSize, svgSize } from './helpers.js';
import { syntheticReportData } from './synthetic.js';

const figures = reportFigures(syntheticReportData());

test('every figure renders to an SVG and a PNG whose IHDR size is the SVG size × scale', async () => {
  for (const f of figures) {
    const svg = await renderSvg(f.spec);
    const s = svgSize(svg);
    assert.ok(s.width > 300 && s.height > 100, `${f.id}: ${s.width}×${s.height}`);
    for (const scale of [1, 2]) {
      const png = pngSize(renderPng(svg, { scale }));
      assert.equal(png.width, Math.round(s.width * scale), `${f.id} width at ×${scale}`);
      assert.equal(png.height, Math.round(s.height * scale), `${f.id} height at ×${scale}`);
    }
  }
});

test('PNG output is byte-for-byte repeatable with the same font files', async () => {
  const svg = await renderSvg(figures[2]!.spec);
  assert.deepEqual(renderPng(svg), renderPng(svg));
});

test('the figure font is loaded from its file when the system has DejaVu Sans', { skip: existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') ? false : 'DejaVu Sans not installed here (Debian: fonts-dejavu-core)' }, () => {
  assert.ok(figureFontFiles().some((f) => f.endsWith('/DejaVuSans.ttf')));
});

test('a spec that names a URL instead of inline data fails: figures never fetch', async () => {
  const spec = { data: { url: 'https://example.org/data.csv' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
  await assert.rejects(renderSvg(spec), /inline/);
});

test('an invalid spec is an INVALID_VALUE error; a bad PNG scale too', async () => {
  await assert.rejects(renderSvg({ mark: 'no-such-mark' }), (e: unknown) => e instanceof InferprintError && e.code === 'INVALID_VALUE');
  const svg = await renderSvg(figures[2]!.spec);
  assert.throws(() => renderPng(svg, { scale: 0 }), (e: unknown) => e instanceof InferprintError && e.code === 'INVALID_VALUE');
});

test('clip-path ids are renumbered from 1 in order of appearance', () => {
  const svg = '<svg><clipPath id="clip17"></clipPath><g clip-path="url(#clip17)"></g><clipPath id="clip9"></clipPath><g clip-path="url(#clip9)"><text>clip17</text></g></svg>';
  assert.equal(
    renumberClipIds(svg),
    '<svg><clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"></g><clipPath id="clip2"></clipPath><g clip-path="url(#clip2)"><text>clip17</text></g></svg>',
  );
});
