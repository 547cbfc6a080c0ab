/**
 * The run detail view in the real Lab: opened by its command from a
 * recorded run, with its charts drawn by vega, and stored text inert.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { runRows } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/** Open a fixture notebook, run it all and wait for its run in the store. */
async function recordRun(
  page: IJupyterLabPageFixture,
  request: Parameters<typeof runRows>[0],
  tmpPath: string,
  name: string
): Promise<{ notebookPath: string; runId: string }> {
  const notebookPath = `${tmpPath}/${name}`;
  await page.contents.uploadFile(path.join(NOTEBOOKS, name), notebookPath);
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  await page.notebook.run();
  await expect
    .poll(async () => (await runRows(request, notebookPath)).length, {
      timeout: 30000
    })
    .toBe(1);
  const [row] = await runRows(request, notebookPath);
  return { notebookPath, runId: row.id };
}

/** The detail view of a run, opened the way the sidebar will open it. */
async function openRun(
  page: IJupyterLabPageFixture,
  args: { notebookPath: string; runId: string }
) {
  // The command resolves with the widget, which cannot leave the page.
  await page.evaluate(async args => {
    await window.jupyterapp.commands.execute('jupyterlab-runs:open-run', args);
  }, args);
  const view = page.locator('.jp-RunDetail');
  await expect(view.locator('.jp-RunDetail-body')).toBeVisible();
  return view;
}

test.describe('Run detail', () => {
  test.describe.configure({ timeout: 120000 });

  test('should show a run with its metric chart', async ({
    page,
    request,
    tmpPath
  }) => {
    const run = await recordRun(page, request, tmpPath, 'xgboost-eval.ipynb');
    const view = await openRun(page, run);

    await expect(
      view.getByRole('region', { name: 'Parameters' })
    ).toContainText('np.random.default_rng(0)');
    const metrics = view.getByRole('region', { name: 'Metrics' });
    await expect(metrics).toContainText('validation-rmse');
    // vega is loaded on this first chart, and draws it on a canvas.
    await expect(metrics.locator('.jp-RunsChart canvas')).toBeVisible({
      timeout: 30000
    });
    await expect(
      view.getByRole('region', { name: 'Executions' })
    ).toContainText('xgb.train');
    await expect(
      view.getByRole('region', { name: 'Environment' })
    ).toContainText('xgboost');

    // Opening it again shows the same tab.
    await openRun(page, run);
    await expect(page.locator('.jp-RunDetail')).toHaveCount(1);
  });

  test('should never run markup from stored text', async ({
    page,
    request,
    tmpPath
  }) => {
    const run = await recordRun(page, request, tmpPath, 'hostile.ipynb');
    const view = await openRun(page, run);
    const hostile = '<img src=x onerror="window.__runsPwned = 1">';

    await expect(view.locator('.jp-RunDetail-name')).toHaveText(hostile);
    await expect(view.getByRole('region', { name: 'Overview' })).toContainText(
      hostile
    );
    await expect(view.locator('.jp-RunsChart canvas')).toBeVisible({
      timeout: 30000
    });
    // Hover the chart so its tooltip renders the hostile metric name too.
    await view.locator('.jp-RunsChart canvas').hover();
    await page.waitForTimeout(500);
    expect(await view.locator('img').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as any).__runsPwned)
    ).toBeUndefined();
  });
});
