/**
 * Runs recorded for real, for the tests of what the Lab does with them.
 */
import * as path from 'path';
import type { APIRequestContext } from '@playwright/test';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, waitForIdleKernel } from './fixtures';
import type { IndexRow } from './store-files';
import { runRows } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/**
 * Record one run of `sys-version.ipynb` at `notebookPath`, then shut its
 * kernel down (which ends the run) and close the notebook: once the run's
 * end is stored, nothing writes to the notebook's store any more. Gives
 * the run's index row.
 */
export async function recordFinishedRun(
  page: IJupyterLabPageFixture,
  request: APIRequestContext,
  notebookPath: string
): Promise<IndexRow> {
  await page.contents.uploadFile(
    path.join(NOTEBOOKS, 'sys-version.ipynb'),
    notebookPath
  );
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  await page.notebook.run();
  await expect
    .poll(async () => (await runRows(request, notebookPath)).length, {
      timeout: 30000
    })
    .toBe(1);
  await page.evaluate(async () => {
    await (
      window.jupyterapp.shell.currentWidget as any
    ).sessionContext.shutdown();
  });
  await expect
    .poll(async () => (await runRows(request, notebookPath))[0]?.status, {
      timeout: 30000
    })
    .toBe('finished');
  await page.notebook.close(true);
  return (await runRows(request, notebookPath))[0];
}
