import type { TopLevelSpec } from 'vega-lite';

// A leaf: charts.ts and the reference lanes' chart (references.ts) both build these.

/** A chart to draw: a Vega-Lite spec with the words around it. */
export interface ChartSpec {
  /** File name without `.svg`; also the id prefix inside the SVG. */
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}
