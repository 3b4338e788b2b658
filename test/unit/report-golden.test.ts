import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readRunResult } from '../../src/cli/report-command.ts';
import { reportModel } from '../../src/analysis/report-model.ts';
import { EXPORTERS, exportersOf } from '../../src/report/exporters.ts';
import { REPORT_FILES } from '../../src/report/write.ts';

// Two real runs (a cross-stack interop run; a run with ceilings and two read paths), and what the reporters printed for
// them before the report model existed: every exporter must still print the same bytes. report.html is compared without
// its charts (the SVGs are Vega's; the chart tests cover them).
const GOLDEN = fileURLToPath(new URL('../fixtures/report-golden/', import.meta.url));
const NO_CHARTS = { charts: [], omitted: [] };

const expected = async (dir: string, file: string): Promise<string | null> =>
  readFile(join(dir, file), 'utf8').catch(() => null);

test('every exporter renders a recorded run byte for byte as the reporters did before the report model', async () => {
  const runs = (await readdir(GOLDEN)).sort();
  assert.deepEqual(runs, ['ceilings', 'stacks']);
  for (const name of runs) {
    const dir = join(GOLDEN, name);
    const model = reportModel(await readRunResult(dir));
    const outputs: [string, string | null][] = [
      ['terminal.txt', EXPORTERS.terminal.render(model)],
      ['summary.md', EXPORTERS.markdown.render(model)],
      ['report-without-charts.html', EXPORTERS.html.render(model, NO_CHARTS)],
      ['results.csv', EXPORTERS.csv.render(model)],
      ['scenarios.csv', EXPORTERS['scenarios-csv'].render(model)],
      ['references.csv', EXPORTERS['references-csv'].render(model)],
    ];
    for (const [file, text] of outputs) assert.equal(text, await expected(dir, file), `${name}/${file}`);
  }
});

test('the exporters list every file of a run folder once, results before the report', () => {
  assert.deepEqual(
    exportersOf('results').map((e) => e.file),
    ['results.json', 'results.csv', 'scenarios.csv', 'references.csv'],
  );
  assert.deepEqual(REPORT_FILES, ['summary.md', 'report.html']);
  assert.equal(EXPORTERS.terminal.file, null);
});
