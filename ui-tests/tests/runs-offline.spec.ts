/**
 * The Runs panel while the Jupyter server cannot be reached: it keeps
 * showing the runs this browser last read (IndexedDB), says that it is
 * offline, and goes back to normal once the server answers again.
 */
import type { Route } from '@playwright/test';
import { expect, serverKernelsTest as test } from './fixtures';
import { recordFinishedRun } from './recorded';

/**
 * How long the store trusts a folder listing (LISTING_TTL_MS in
 * src/store/drive.ts): a listing younger than this is answered from memory,
 * without asking the server.
 */
const STORE_LISTING_TTL = 2000;

test.describe('Runs panel offline', () => {
  test.describe.configure({ timeout: 120000 });

  test('should keep showing the runs last read, say it is offline, and recover', async ({
    page,
    request,
    tmpPath,
    allowConsoleMessages
  }) => {
    const notebookPath = `${tmpPath}/sys-version.ipynb`;
    // Once its end is stored and the notebook closed, nothing writes to the
    // store while the server is away.
    const { id: runId } = await recordFinishedRun(page, request, notebookPath);

    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    const allNotebooks = panel.getByRole('checkbox', { name: 'All notebooks' });
    await allNotebooks.check();
    const row = panel.locator(`.jp-RunsPanel-item[data-run-id="${runId}"]`);
    await expect(row).toBeVisible({ timeout: 30000 });
    // The status line is there, empty and hidden, while the server answers.
    const status = panel.getByRole('status', { includeHidden: true });
    await expect(status).toBeEmpty();
    await expect(status).toBeHidden();

    // The server goes away for this page: every Contents request fails as
    // it does without a network.
    const offline = (route: Route) => route.abort('internetdisconnected');
    await page.route('**/api/contents/**', offline);
    // Chromium logs each failed request as a console error.
    allowConsoleMessages(
      /^Failed to load resource: net::ERR_INTERNET_DISCONNECTED$/,
      'this test aborts the Contents requests while the server is away'
    );
    // Past the store's listing cache, so that listing the notebooks again
    // asks the server; then switch the list off and on to read it again.
    // All notebooks, because listing them fails when the server cannot be
    // reached; one notebook's runs the store still answers from this
    // browser's copy, with a problem line of its own (RunStore.listRuns).
    await page.waitForTimeout(STORE_LISTING_TTL + 500);
    await allNotebooks.uncheck();
    await allNotebooks.check();

    await expect(status).toBeVisible();
    await expect(status).toContainText('Offline');
    await expect(status).toContainText(
      'Showing the runs this browser last read'
    );
    await expect(row).toBeVisible();
    // Not as a read error: the other notebooks of the test server's store
    // may have problem lines of their own, this is none of them.
    const readErrors = panel
      .locator('.jp-RunsPanel-problem')
      .filter({ hasText: /could not be read|cannot be reached/ });
    await expect(readErrors).toHaveCount(0);

    // The server answers again: the panel asks again by itself.
    await page.unroute('**/api/contents/**', offline);
    await expect(status).toBeEmpty({ timeout: 20000 });
    await expect(status).toBeHidden();
    await expect(row).toBeVisible();
    await expect(readErrors).toHaveCount(0);
  });
});
