/**
 * Restoring a run into its notebook, and undoing it from the restore point,
 * in the real Lab, kernel and Chromium.
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
 * The open notebook's cells as they matter to a user: type, source,
 * outputs and execution counts.
 */
function cellsOf(page: IJupyterLabPageFixture, notebookPath: string) {
  return page.evaluate(path => {
    const panel = [...window.jupyterapp.shell.widgets('main')].find(
      (widget: any) => widget.context?.path === path
    ) as any;
    return panel.content.model.toJSON().cells.map((cell: any) => ({
      type: cell.cell_type,
      source: cell.source,
      outputs: cell.outputs ?? null,
      count: cell.execution_count ?? null
    }));
  }, notebookPath);
}

test.describe('Restore', () => {
  test.describe.configure({ timeout: 180000 });

  test('should restore a run into the notebook and undo it from the restore point', async ({
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
    const rows = () => runRows(request, notebookPath);

    // Run 1 (seed 69), saved: its snapshot is the notebook as it is now.
    await page.notebook.run();
    await page.notebook.save();
    await expect
      .poll(async () => (await rows())[0]?.metrics.mean_squared_error, {
        timeout: 30000
      })
      .toEqual(expect.any(Number));
    const first = await cellsOf(page, notebookPath);
    const [run1] = await rows();
    // Run 2 (seed 42), saved.
    await page.notebook.setCell(0, 'code', 'seed = 42\nalpha = 0.1');
    await page.notebook.run();
    await page.notebook.save();
    await expect.poll(async () => (await rows()).length).toBe(2);
    const before = await cellsOf(page, notebookPath);
    expect(before).not.toEqual(first);

    // Restore run 1: asked first, then the cells are run 1's.
    const restoring = page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:restore-snapshot',
          args
        );
      },
      { notebookPath, runId: run1.id }
    );
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`Restore Run ${run1.name}?`);
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await restoring;
    await expect.poll(() => cellsOf(page, notebookPath)).toEqual(first);

    // The notebook as it was is a run of its own: restoring it undoes.
    await expect
      .poll(async () => (await rows()).map(row => row.name))
      .toContain(`before restoring ${run1.name}`);
    const point = (await rows()).find(
      row => row.name === `before restoring ${run1.name}`
    )!;
    expect(point.status).toBe('finished');
    await page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:restore-snapshot',
          args
        );
      },
      { notebookPath, runId: point.id, confirm: false }
    );
    await expect.poll(() => cellsOf(page, notebookPath)).toEqual(before);
  });
});
