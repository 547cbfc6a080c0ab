/**
 * A run's snapshot is the notebook as the run executed it: the seed story,
 * with the seed edited for the next run before the kernel restarts, with and
 * without a page reload in between.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { APIRequestContext } from '@playwright/test';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { readSnapshots, runRows, storedSessions } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');
const SEED_69 = 'seed = 69\nalpha = 0.1';
const SEED_42 = 'seed = 42\nalpha = 0.1';

async function openSeedStory(
  page: IJupyterLabPageFixture,
  request: APIRequestContext,
  tmpPath: string
): Promise<string> {
  const notebookPath = `${tmpPath}/seed-story.ipynb`;
  await page.contents.uploadFile(
    path.join(NOTEBOOKS, 'seed-story.ipynb'),
    notebookPath
  );
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  // The helper is attached once its kernel session is stored.
  await expect
    .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
    .toBe(1);
  return notebookPath;
}

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

/** Run All, and wait until the store lists runs with these seeds. */
async function runAll(
  page: IJupyterLabPageFixture,
  request: APIRequestContext,
  notebookPath: string,
  seeds: number[]
): Promise<void> {
  await page.notebook.run();
  await expect
    .poll(
      async () =>
        (await runRows(request, notebookPath)).map(row => row.params.seed),
      { timeout: 30000 }
    )
    .toEqual(seeds);
  await expect
    .poll(
      async () =>
        (await runRows(request, notebookPath))[seeds.length - 1]?.metrics
          .mean_squared_error
    )
    .toEqual(expect.any(Number));
}

/** The seed cell's source in the latest snapshot the store holds of a run. */
async function storedSeed(
  request: APIRequestContext,
  notebookPath: string,
  runId: string
): Promise<string | null> {
  const snapshots = await readSnapshots(request, notebookPath, runId);
  return snapshots[snapshots.length - 1]?.cells[0].source ?? null;
}

/** The seed cell's source as Open Snapshot shows it. */
async function shownSeed(
  page: IJupyterLabPageFixture,
  notebookPath: string,
  runId: string
): Promise<string> {
  await page.evaluate(
    async args => {
      await window.jupyterapp.commands.execute(
        'jupyterlab-runs:open-snapshot',
        args
      );
    },
    { notebookPath, runId }
  );
  const view = page.locator(`#jupyterlab-runs-snapshot-${runId}`);
  await expect(view.locator('.jp-RunSnapshot-notebook .jp-Cell')).toHaveCount(
    3
  );
  return page.evaluate(id => {
    const widget = [...window.jupyterapp.shell.widgets('main')].find(
      w => w.id === id
    ) as any;
    return widget.content.notebook.widgets[0].model.sharedModel.getSource();
  }, `jupyterlab-runs-snapshot-${runId}`);
}

/**
 * After the seed is edited and the kernel restarted: run 1 holds the seed it
 * ran, run 2 (saved, so that it has a snapshot) the new one, on disk and in
 * Open Snapshot.
 */
async function expectSeedsAsRun(
  page: IJupyterLabPageFixture,
  request: APIRequestContext,
  notebookPath: string
): Promise<void> {
  await runAll(page, request, notebookPath, [69, 42]);
  await page.notebook.save();
  const [first, second] = await runRows(request, notebookPath);
  await expect
    .poll(() => storedSeed(request, notebookPath, first.id))
    .toBe(SEED_69);
  await expect
    .poll(() => storedSeed(request, notebookPath, second.id))
    .toBe(SEED_42);
  // Both are written; nothing later replaces run 1's.
  await page.waitForTimeout(1500);
  expect(await storedSeed(request, notebookPath, first.id)).toBe(SEED_69);
  const snapshots = await readSnapshots(request, notebookPath, first.id);
  const executed = snapshots[snapshots.length - 1].cells;
  expect(executed.map(cell => cell.count)).toEqual([1, 2, 3]);
  expect(executed[2].outputs).toEqual([
    expect.objectContaining({ output_type: 'execute_result' })
  ]);

  expect(await shownSeed(page, notebookPath, first.id)).toBe(SEED_69);
  expect(await shownSeed(page, notebookPath, second.id)).toBe(SEED_42);
}

test.describe('Run snapshot as executed', () => {
  test.describe.configure({ timeout: 180000 });

  test('should keep the seed a run ran when it is edited before the restart', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = await openSeedStory(page, request, tmpPath);
    await runAll(page, request, notebookPath, [69]);

    await page.notebook.setCell(0, 'code', SEED_42);
    await restartKernel(page);

    await expectSeedsAsRun(page, request, notebookPath);
  });

  test('should keep the seed a run ran when the page is reloaded and the seed edited before the restart', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = await openSeedStory(page, request, tmpPath);
    await runAll(page, request, notebookPath, [69]);
    await page.notebook.save();

    // The reloaded page attaches to the same kernel, whose run goes on: it
    // never saw that run's executions.
    // Ready when the notebook is back, not the Launcher galata waits for.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await page.evaluate(async path => {
      await window.jupyterapp.commands.execute('docmanager:open', { path });
    }, notebookPath);
    await page.waitForFunction(
      path =>
        (window.jupyterapp.shell.currentWidget as any)?.context?.path === path,
      notebookPath
    );
    await waitForIdleKernel(page);
    await expect(page.locator('.jp-RunsIndicator-run')).toBeVisible({
      timeout: 30000
    });
    await page.notebook.setCell(0, 'code', SEED_42);
    await restartKernel(page);

    await expectSeedsAsRun(page, request, notebookPath);
  });
});
