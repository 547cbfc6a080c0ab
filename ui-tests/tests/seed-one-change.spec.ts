/**
 * One change is one change: a notebook whose seed is passed to the split and
 * to a random forest, run with seed 69 and again with 42. The sidebar shows
 * one badge `seed 69→42`, the run view the user's own parameters first with
 * what got its value from the seed under it and the forest's defaults
 * folded away, and compare and the re-run verdict their differences only.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
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

const SEED_42 = `seed = 42
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
model = RandomForestRegressor(n_estimators=50, random_state=seed).fit(X_train, y_train)`;

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

/**
 * Screenshot `target` in the light theme, then the dark one, then back.
 */
async function inBothThemes(
  page: IJupyterLabPageFixture,
  target: Locator,
  name: string,
  options: Parameters<Locator['screenshot']>[0] & { stylePath?: string } = {}
): Promise<void> {
  await page.mouse.move(0, 0);
  await expect(target).toHaveScreenshot(`${name}-light.png`, options);
  await page.theme.setDarkTheme();
  await expect(target).toHaveScreenshot(`${name}-dark.png`, options);
  await page.theme.setLightTheme();
}

test.describe('One change is one change', () => {
  test.describe.configure({ timeout: 240000 });

  test('should show the seed once in the sidebar, first in the run view, and only differences in compare and the verdict', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/seed-one-change.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'seed-one-change.ipynb'),
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    const metricOf = async (index: number) =>
      (await runRows(request, notebookPath))[index]?.metrics.mean_squared_error;

    await page.notebook.run();
    await expect
      .poll(() => metricOf(0), { timeout: 60000 })
      .toEqual(expect.any(Number));
    await restartKernel(page);
    await page.notebook.setCell(1, 'code', SEED_42);
    await page.notebook.run();
    await expect
      .poll(() => metricOf(1), { timeout: 60000 })
      .toEqual(expect.any(Number));
    const [, second] = await runRows(request, notebookPath);
    // What the kernel recorded: the seed, and what it was passed to.
    expect(second.params).toMatchObject({
      seed: 42,
      'train_test_split.random_state': 42,
      'model.random_state': 42
    });

    // The sidebar: one badge for one change.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2, { timeout: 30000 });
    const changes = rows
      .first()
      .locator('.jp-RunsPanel-badge:not(.jp-mod-tag):not(.jp-mod-seedOnly)');
    await expect(changes).toHaveText(['seed 69→42']);

    // The run view: the user's own parameters first, what got its value
    // from the seed right under it, the forest's defaults folded away.
    await page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:open-run',
          args
        );
      },
      { notebookPath, runId: second.id }
    );
    const detail = page.locator('.jp-RunDetail');
    const params = detail.getByRole('region', { name: 'Parameters' });
    await expect(params).toBeVisible({ timeout: 30000 });
    const names = await params
      .locator('table:not(details table) tbody th')
      .allTextContents();
    expect(names[0]).toBe('seed');
    expect(names.slice(1, 3).sort()).toEqual([
      '↳ model.random_state',
      '↳ train_test_split.random_state'
    ]);
    expect(names).toContain('model.n_estimators');
    const defaults = params.locator('details');
    expect(
      await defaults.evaluate(node => (node as HTMLDetailsElement).open)
    ).toBe(false);
    await expect(defaults.locator('summary')).toHaveText(
      /^\d+ estimator defaults$/
    );
    await expect(defaults.locator('tbody th').first()).toBeHidden();
    expect(names.filter(name => name.startsWith('model.max_depth'))).toEqual(
      []
    );
    await inBothThemes(page, params, 'run-view-params');

    // Compare: differences only, on at first, with the identical rows
    // counted.
    const [first] = await runRows(request, notebookPath);
    await page.evaluate(
      async runs => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:compare-runs',
          { runs }
        );
      },
      [first.id, second.id].map(runId => ({ notebookPath, runId }))
    );
    const compare = page.locator('.jp-RunsCompare');
    const compared = compare.getByRole('region', { name: 'Parameters' });
    const toggle = compared.getByRole('switch', { name: 'Differences only' });
    await expect(toggle).toBeChecked({ timeout: 30000 });
    await expect(compared.locator('tbody th')).toHaveText([
      /^seed/,
      /model\.random_state/,
      /train_test_split\.random_state/
    ]);
    const hidden = compared.locator('.jp-RunsCompare-hiddenCount');
    await expect(hidden).toHaveText(/^\d+ identical rows hidden$/);
    const identical = Number((await hidden.textContent())!.split(' ')[0]);
    expect(identical).toBeGreaterThan(10);
    await expect(compare.getByRole('note')).toHaveText(
      /^Only the seed differs among their parameters: seed 69 → 42\./
    );
    await inBothThemes(page, compared, 'compare-params', {
      mask: [compared.locator('thead th:not(:first-child)')],
      stylePath: RANDOM_NAMES_CSS
    });
    await toggle.click();
    await expect(compared.locator('tbody tr')).toHaveCount(3 + identical);
    await expect(hidden).toHaveCount(0);

    // The re-run verdict: every parameter the same, all hidden but counted.
    await page.evaluate(
      args => {
        void window.jupyterapp.commands.execute('jupyterlab-runs:rerun', args);
      },
      { notebookPath, runId: second.id, order: 'executed' }
    );
    const dialog = page.locator('.jp-Dialog');
    await dialog
      .getByRole('button', { name: 'Run', exact: true })
      .click({ timeout: 30000 });
    const rerun = page.locator('.jp-RunsRerun').last();
    await expect(rerun.locator('.jp-RunsRerun-overall')).toHaveText(
      'Reproduced',
      { timeout: 120000 }
    );
    const verdict = rerun.locator('.jp-RunsRerun-verdict');
    await expect(
      verdict.getByRole('switch', { name: 'Differences only' })
    ).toBeChecked();
    await expect(verdict.locator('.jp-RunsCompare-hiddenCount')).toHaveText(
      /^\d+ identical rows hidden$/
    );
    await inBothThemes(page, verdict, 'verdict');
  });
});
