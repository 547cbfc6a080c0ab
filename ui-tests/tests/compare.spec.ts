/**
 * Comparing runs in the real Lab: the seed story run twice (seed 69, then
 * 42 after a restart), compared with its command.
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

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

test.describe('Compare runs', () => {
  test.describe.configure({ timeout: 150000 });

  test('should show that the seed differs, with charts and the code diff', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/seed-story.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'seed-story.ipynb'),
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    const metricOf = async (index: number) =>
      (await runRows(request, notebookPath))[index]?.metrics.mean_squared_error;

    await page.notebook.run();
    await expect
      .poll(() => metricOf(0), { timeout: 30000 })
      .toEqual(expect.any(Number));
    await restartKernel(page);
    await page.notebook.setCell(0, 'code', 'seed = 42\nalpha = 0.1');
    await page.notebook.run();
    await expect
      .poll(() => metricOf(1), { timeout: 30000 })
      .toEqual(expect.any(Number));
    const runs = (await runRows(request, notebookPath)).map(row => ({
      notebookPath,
      runId: row.id
    }));

    await page.evaluate(async runs => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:compare-runs', {
        runs
      });
    }, runs);
    const view = page.locator('.jp-RunsCompare');
    const params = view.getByRole('region', { name: 'Parameters' });
    // The seed difference comes first, highlighted.
    await expect(params.locator('tbody tr').first()).toHaveClass(
      /jp-mod-differs/
    );
    await expect(params.locator('tbody tr').first()).toContainText(
      'seed differs'
    );
    await expect(params.locator('tbody tr').first()).toContainText('69');
    await expect(params.locator('tbody tr').first()).toContainText('42');
    await expect(view.getByRole('region', { name: 'Metrics' })).toContainText(
      'mean_squared_error'
    );
    await expect(
      view.getByRole('region', { name: 'Charts' }).locator('canvas').first()
    ).toBeVisible({ timeout: 30000 });
    // The per-cell code diff marks the edited value.
    const code = view.getByRole('region', { name: 'Code' });
    await expect(code.locator('mark')).toHaveText(['69', '42']);
  });
});
