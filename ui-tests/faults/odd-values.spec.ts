/**
 * Bad input: metric values NaN, ±Infinity, ±1e308, a string and a boolean
 * logged from a real kernel: stored and charted sensibly, or refused with a
 * message; nothing throws in the page.
 */
import { readRun } from '../tests/store-files';
import { waitFor } from './lab';
import {
  expect,
  openRecording,
  startCell,
  test,
  writeNotebook
} from './fixtures';

test.describe.configure({ timeout: 240000 });

const CELL = [
  'import jupyterlab_runs as runs',
  "values = [0.5, float('nan'), float('inf'), float('-inf'), 1e308, -1e308, 0.25]",
  'for step, value in enumerate(values):',
  "    runs.log_metric('odd', value, step=step)",
  "runs.log_metric('odd', 'abc', step=7)",
  "runs.log_metric('odd', True, step=8)",
  "runs.log_metric('odd', '0.125', step=9)",
  "print('logged')"
].join('\n');

test('odd metric values', async ({ api, lab, page, row }) => {
  row.checked =
    'NaN/±inf/±1e308 stored as logged; string and boolean refused with a warning; table and chart shown';
  const notebookPath = writeNotebook(lab, 'odd-values.ipynb', CELL);
  await openRecording(page, lab, api, notebookPath);
  await startCell(page);
  const output = page.locator('.jp-OutputArea-output');
  await expect(output.filter({ hasText: /^logged/ })).toBeVisible({
    timeout: 60000
  });
  const warnings = (await output.allInnerTexts())
    .join('\n')
    .split('\n')
    .filter(line => line.includes('RunsWarning'));
  row.notes.push(...warnings.map(line => line.replace(/^.*RunsWarning: /, '')));
  expect(warnings).toEqual([
    expect.stringContaining("metric 'odd' not logged: 'abc' is not a number"),
    expect.stringContaining(
      "metric 'odd' not logged: booleans are not metric values"
    )
  ]);

  const run = await waitFor(
    async () => {
      const found = await readRun(api, notebookPath);
      return (found?.metrics.odd?.count ?? 0) >= 8 ? found : null;
    },
    60000,
    'the points stored'
  );
  const odd = run.metrics.odd;
  row.logged = 10;
  row.stored = odd.count;
  // Stored as logged; the numeric string read as its number.
  expect(odd.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 9]);
  expect(odd.values).toEqual([
    0.5,
    'NaN',
    'Infinity',
    '-Infinity',
    1e308,
    -1e308,
    0.25,
    0.125
  ]);

  await page.evaluate(
    args =>
      (window as any).jupyterapp.commands.execute(
        'jupyterlab-runs:open-run',
        args
      ),
    { notebookPath, runId: run.id }
  );
  const detail = page.locator('.jp-RunDetail');
  const chart = detail.locator('.jp-RunDetail-chart').first();
  await expect(chart.locator('.jp-RunsChart canvas')).toBeVisible({
    timeout: 30000
  });
  // The chart says which points it cannot draw; the table the finite range.
  await expect(chart.locator('figcaption')).toContainText(
    '3 points not drawn: NaN at step 1, ∞ at step 2, −∞ at step 3'
  );
  const metrics = detail.locator('.jp-RunDetail-table').last();
  await expect(metrics.locator('tbody tr').locator('th, td')).toHaveText([
    'odd',
    '0.125',
    '-1e+308',
    '1e+308',
    '8',
    'explicit'
  ]);
  row.notes.push(
    `detail: ${(await metrics.locator('tbody tr').innerText()).replace(/\s+/g, ' ')}; ${await chart.locator('figcaption').innerText()}`
  );
  expect(row.exceptions).toBe(0);
});
