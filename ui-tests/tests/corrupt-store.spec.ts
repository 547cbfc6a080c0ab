/**
 * A store the Runs panel cannot wholly read: one run recorded for real, and
 * a second run whose row in the notebook's index cannot be read (written by
 * a newer version, say). The broken run is one problem line with its file
 * and reason; the good run is still listed and opens.
 */
import { expect, serverKernelsTest as test } from './fixtures';
import { recordFinishedRun } from './recorded';
import {
  notebookFolder,
  readStoreFile,
  waitForQuietStore,
  writeStoreFile
} from './store-files';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test.describe('Corrupt store', () => {
  test.describe.configure({ timeout: 120000 });

  test('should show a broken run as one problem line, and the good run as ever', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/sys-version.ipynb`;
    await recordFinishedRun(page, request, notebookPath);
    await waitForQuietStore(request, notebookPath);

    // A second run, newer, whose row no reader of this version can use.
    const folder = await notebookFolder(request, notebookPath);
    expect(folder).not.toBeNull();
    const indexPath = `${folder}/index.json.gz`;
    const index = await readStoreFile(request, indexPath);
    const [good] = index.runs;
    const broken = {
      ...good,
      id: `${good.id.slice(0, 70)}-x`,
      name: 'broken-run-2',
      status: 'queued',
      startedAt: good.startedAt + 1000,
      updatedAt: good.updatedAt + 1000
    };
    await writeStoreFile(request, indexPath, {
      ...index,
      runs: [broken, good]
    });

    // A new page reads the store afresh. Its layout is reset: galata's
    // in-memory workspace merges every save into the last, so a reload
    // would reopen the closed notebook (and start a kernel writing to it).
    await page.goto('?reset');
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    await panel.getByRole('checkbox', { name: 'All notebooks' }).check();

    // One line for this notebook (the list also shows the other notebooks
    // of the test server's store), naming the file, the row and the reason.
    // The row's place may change: this page imports what the kernel spooled
    // as it shut down, and rewriting the index keeps the unreadable row, last.
    const problems = panel
      .locator('.jp-RunsPanel-problem')
      .filter({ hasText: `${folder}/` });
    await expect(problems).toHaveCount(1, { timeout: 30000 });
    await expect(problems).toHaveText(
      new RegExp(
        `^${escapeRegExp(indexPath)} "runs\\[[01]\\]\\.status" must be ` +
          'one of running, finished, failed, interrupted, crashed; ' +
          'got "queued"; skipped\\.$'
      )
    );
    const row = panel.locator(`.jp-RunsPanel-item[data-run-id="${good.id}"]`);
    await expect(row).toBeVisible();
    await expect(
      panel.locator('.jp-RunsPanel-item').filter({ hasText: 'broken-run-2' })
    ).toHaveCount(0);

    // The good run opens as ever.
    await row.dblclick();
    const detail = page.locator('.jp-RunDetail');
    await expect(detail.locator('.jp-RunDetail-body')).toBeVisible({
      timeout: 30000
    });
    await expect(detail.locator('.jp-RunDetail-name')).toHaveText(good.name);
    await expect(
      detail.getByRole('region', { name: 'Executions' })
    ).toContainText('sys.version');
    await expect(problems).toHaveCount(1);
  });
});
