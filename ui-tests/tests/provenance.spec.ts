/**
 * A run's executions as they really happened, in the real Lab, kernel and
 * Chromium: cells run out of order and edited since are marked.
 */
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { runRows } from './store-files';

const notebook = {
  cells: [
    ['load', 'data = list(range(10))'],
    ['seed', 'seed = 69'],
    ['fit', 'total = sum(data) + seed\ntotal']
  ].map(([id, source]) => ({
    cell_type: 'code',
    id,
    metadata: {},
    outputs: [],
    execution_count: null,
    source
  })),
  metadata: {
    kernelspec: {
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      name: 'python3'
    }
  },
  nbformat: 4,
  nbformat_minor: 5
};

test.describe('Run provenance', () => {
  test.describe.configure({ timeout: 120000 });

  test('should mark cells run out of order and edited since', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/order.ipynb`;
    await page.contents.uploadContent(
      JSON.stringify(notebook),
      'text',
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    // load, then fit before seed (it fails: seed is not defined), then seed,
    // then fit again.
    for (const index of [0, 2, 1, 2]) {
      await page.notebook.runCell(index);
    }
    await page.notebook.save();
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length, {
        timeout: 30000
      })
      .toBe(1);
    const [run] = await runRows(request, notebookPath);
    // An edit not run yet, not saved: the open notebook counts.
    await page.notebook.setCell(0, 'code', 'data = list(range(20))');

    await page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:show-as-executed',
          args
        );
      },
      { notebookPath, runId: run.id }
    );

    const view = page.locator('.jp-RunsProvenance');
    const steps = view.locator('.jp-RunsProvenance-step');
    await expect(steps).toHaveCount(4, { timeout: 30000 });
    const marks = async (index: number) =>
      steps.nth(index).locator('.jp-RunsProvenance-mark').allTextContents();
    expect(await marks(0)).toEqual(['edited since']);
    expect(await marks(1)).toEqual(['error']);
    expect(await marks(2)).toEqual(['ran out of order']);
    expect(await marks(3)).toEqual([]);
    await expect(
      view.locator('section[aria-label="What changed since"]')
    ).toContainText('1 cell changed');
  });
});
