import { execFileSync } from 'child_process';
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { VENV } from '../lab-server';
import { expect, test } from './fixtures';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');
/** Prints sys.version; recorded like any notebook. */
const SYS_VERSION = path.join(NOTEBOOKS, 'sys-version.ipynb');
/** Tracking turned off in its metadata, so it never has runs. */
const UNTRACKED = path.join(NOTEBOOKS, 'untracked.ipynb');

/** What the kernel's interpreter (the test server's venv) says its version is. */
const KERNEL_PYTHON_VERSION = execFileSync(path.join(VENV, 'bin', 'python'), [
  '-c',
  'import sys; print(sys.version)'
])
  .toString()
  .trim();

async function openFixture(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  fixture = UNTRACKED
): Promise<void> {
  await page.contents.uploadFile(fixture, `${tmpPath}/${name}`);
  expect(await page.notebook.openByPath(`${tmpPath}/${name}`)).toBe(true);
}

/** Shows the Runs panel the way a user would: from the command palette. */
async function showRunsPanel(page: IJupyterLabPageFixture) {
  const search = page.locator('#command-palette input');
  const panel = page.getByRole('region', { name: 'Runs' });
  // The modal palette closes when it loses focus, which a notebook that has
  // just opened can take from it: open it again until the command has run.
  await expect(async () => {
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('apputils:activate-command-palette')
    );
    // Typed as a user types: the palette takes the keys wherever focus is.
    await expect(search).toBeFocused({ timeout: 5000 });
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Show Runs Panel');
    await expect(
      page.locator('#command-palette .lm-CommandPalette-item.lm-mod-active', {
        hasText: 'Show Runs Panel'
      })
    ).toBeVisible({ timeout: 5000 });
    await page.keyboard.press('Enter');
    await expect(panel).toBeVisible({ timeout: 5000 });
  }).toPass({ timeout: 45000 });
  return panel;
}

test.describe('Runs panel', () => {
  test('should run Python in the real kernel', async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath, 'sys-version.ipynb', SYS_VERSION);
    await page.notebook.runCell(0);

    const output = await page.notebook.getCellTextOutput(0);
    expect(output?.join('').trim()).toBe(KERNEL_PYTHON_VERSION);
  });

  test('should say that the active notebook has no runs yet', async ({
    page,
    tmpPath
  }) => {
    await openFixture(page, tmpPath, 'first.ipynb');
    const panel = await showRunsPanel(page);

    await expect(panel).toContainText('No runs recorded for first.ipynb yet');
  });

  test('should follow the active notebook', async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath, 'first.ipynb');
    await openFixture(page, tmpPath, 'second.ipynb');
    const panel = await showRunsPanel(page);
    await expect(panel).toContainText('No runs recorded for second.ipynb yet');

    await page.activity.activateTab('first.ipynb');
    await expect(panel).toContainText('No runs recorded for first.ipynb yet');

    await page.notebook.close(true);
    await page.notebook.close(true);
    await expect(panel).toContainText('Open a notebook to see its runs');
  });

  test('should look right in the light and dark themes', async ({
    page,
    tmpPath
  }) => {
    await openFixture(page, tmpPath, 'theme.ipynb');
    const panel = await showRunsPanel(page);
    await expect(panel).toContainText('No runs recorded for theme.ipynb yet');
    await expect(panel).toHaveScreenshot('runs-panel-light.png');

    await page.theme.setDarkTheme();
    await expect(panel).toHaveScreenshot('runs-panel-dark.png');
  });
});

test.describe('Runs settings', () => {
  test('should say when tracking is turned off in the Settings Editor', async ({
    page,
    tmpPath
  }) => {
    await openFixture(page, tmpPath, 'first.ipynb');
    const panel = await showRunsPanel(page);
    await expect(panel).not.toContainText('Tracking is off');

    await page.evaluate(() =>
      window.jupyterapp.commands.execute('settingeditor:open', {
        query: 'Runs'
      })
    );
    const tracking = page.getByRole('checkbox', {
      name: 'Record notebook runs'
    });
    await expect(tracking).toBeChecked();
    await tracking.uncheck();

    await expect(panel).toContainText(
      'Tracking is off, so new runs are not recorded.'
    );
  });
});
