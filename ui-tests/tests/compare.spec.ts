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

/**
 * Applied while the comparison is screenshot: see the file.
 */
const RANDOM_NAMES_CSS = path.join(__dirname, 'screenshot-run-names.css');

/**
 * Drag the edge of the left sidebar so that it is `width` pixels wide, as a
 * user widens it to see every column of the Runs table.
 */
async function widenSidebar(
  page: IJupyterLabPageFixture,
  width: number
): Promise<void> {
  const stack = await page.locator('#jp-left-stack').boundingBox();
  const handle = await page
    .locator('#jp-main-split-panel > .lm-SplitPanel-handle')
    .first()
    .boundingBox();
  if (!stack || !handle) {
    throw new Error('The left sidebar is not shown.');
  }
  const y = handle.y + handle.height / 2;
  await page.mouse.move(handle.x + handle.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(stack.x + width + handle.width / 2, y, { steps: 5 });
  await page.mouse.up();
  // Away from the rows and the handle, so nothing shows a hover state.
  await page.mouse.move(0, 0);
}

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
    // The Runs sidebar lists both, the second with its changed seed.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2, { timeout: 30000 });
    await expect(panel.locator('.jp-RunsPanel-badge')).toContainText([
      'seed 69→42'
    ]);
    // Filtering keeps the run of seed 69 only; a bad query says why.
    const filter = panel.getByLabel('Filter runs');
    await filter.fill('params.seed = 69');
    await expect(rows).toHaveCount(1);
    await filter.fill('params.seed =');
    await expect(panel.getByRole('alert')).toContainText('column');
    await filter.fill('');
    await expect(rows).toHaveCount(2);

    // Select both and compare them from the context menu.
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await rows.nth(1).click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Compare 2 Selected Runs' })
      .click();
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
    const metrics = view.getByRole('region', { name: 'Metrics' });
    await expect(metrics).toContainText('mean_squared_error');
    // Oldest first, as the sidebar's badge reads: seed 69, then 42, and how
    // each metric changed between them.
    await expect(view.getByRole('note')).toContainText('seed 69 → 42');
    await expect(metrics.locator('thead th').last()).toHaveText('Change');
    // Its tab says which runs, the base first.
    await expect(
      page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'Compare' })
    ).toHaveText(/^Compare \S+ → \S+$/);
    await expect(metrics.locator('tbody td').last()).toHaveText(
      /^[+-]\d.*\([+-][\d.]+%\)$/
    );
    await expect(
      view.getByRole('region', { name: 'Charts' }).locator('canvas').first()
    ).toBeVisible({ timeout: 30000 });
    // The per-cell code diff marks the edited value.
    const code = view.getByRole('region', { name: 'Code' });
    await expect(code.locator('mark')).toHaveText(['69', '42']);

    // How the comparison and the table of runs look, in the light and the
    // dark theme. What differs from one test run to the next is masked:
    // the random run names, start times, durations and the trend chart,
    // whose axis is the time the runs started.
    const namesInView = view.locator(
      '.jp-RunsCompare-table thead th:not(:first-child)'
    );
    const comparisonShot = {
      mask: [namesInView],
      stylePath: RANDOM_NAMES_CSS
    };
    const panelShot = {
      // Placeholders of one width for the names and times, which a row
      // wraps around (see the file).
      stylePath: path.join(__dirname, 'screenshot-sidebar.css'),
      mask: [
        // Whole cells, not their text.
        panel.locator('.jp-RunsPanel-item .jp-RunsPanel-cell-name'),
        panel.locator('.jp-RunsPanel-item .jp-RunsPanel-cell-started'),
        panel.locator('.jp-RunsPanel-item .jp-RunsPanel-cell-duration'),
        panel.locator('.jp-RunsPanel-trend')
      ]
    };
    await page.mouse.move(0, 0);
    await expect(view).toHaveScreenshot('compare-light.png', comparisonShot);
    await page.theme.setDarkTheme();
    await expect(view).toHaveScreenshot('compare-dark.png', comparisonShot);
    await widenSidebar(page, 640);
    await expect(panel).toHaveScreenshot('runs-panel-runs-dark.png', panelShot);
    await page.theme.setLightTheme();
    await expect(panel).toHaveScreenshot(
      'runs-panel-runs-light.png',
      panelShot
    );

    // A double click on a row opens that run.
    await rows.nth(0).dblclick();
    await expect(page.locator('.jp-RunDetail-body')).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Parameters' }).last()
    ).toContainText('42');
  });
});
