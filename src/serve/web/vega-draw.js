/* global window */
// Drawing a Vega-Lite spec on a dashboard page (the Compare and Advise pages): Vega and Vega-Lite
// are the page's vendor scripts (window.vega, window.vegaLite).

/**
 * Vega's expression interpreter: Vega otherwise compiles its expressions with `Function`, which
 * the page's Content-Security-Policy (no 'unsafe-eval') forbids.
 */
let interpreter;
const expressionInterpreter = async () => (interpreter ??= (await import('/vendor/vega-interpreter.js')).expressionInterpreter);

/** Render a Vega-Lite spec with Vega (SVG, tooltips on hover) into `container`. */
export async function draw(container, spec) {
  const { vega, vegaLite } = window;
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled, null, { ast: true }), { renderer: 'svg', container, hover: true, expr: await expressionInterpreter() });
  await view.runAsync();
  return view;
}
