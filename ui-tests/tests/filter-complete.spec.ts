/**
 * Completing field names in the Runs sidebar's filter, in the real Lab: a
 * tiny notebook run with seed 69, then 42 after a restart, and the filter
 * written with the names the sidebar offers.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { runRows } from './store-files';

/**
 * A seed, and a metric printed as a `name: value` line.
 */
const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      id: 'seed',
      metadata: {},
      outputs: [],
      source: ['seed = 69']
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'loss',
      metadata: {},
      outputs: [],
      source: ['print(f"loss: {seed / 100}")']
    }
  ],
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

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

test.describe('Filter completion', () => {
  test.describe.configure({ timeout: 120000 });

  test('should complete params.se to params.seed with Tab, and filter with it', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/tiny-seed.ipynb`;
    expect(
      await page.contents.uploadContent(
        JSON.stringify(NOTEBOOK),
        'text',
        notebookPath
      )
    ).toBe(true);
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    const lossOf = async (index: number) =>
      (await runRows(request, notebookPath))[index]?.metrics.loss;

    await page.notebook.run();
    await expect.poll(() => lossOf(0), { timeout: 30000 }).toBe(0.69);
    await restartKernel(page);
    await page.notebook.setCell(0, 'code', 'seed = 42');
    await page.notebook.run();
    await expect.poll(() => lossOf(1), { timeout: 30000 }).toBe(0.42);

    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    const panel = page.getByRole('region', { name: 'Runs' });
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2, { timeout: 30000 });

    const filter = panel.getByRole('combobox', { name: 'Filter runs' });
    await filter.click();
    await page.keyboard.type('params.se');
    const option = panel.getByRole('option', { name: 'params.seed' });
    await expect(option).toBeVisible();
    await expect(filter).toHaveAttribute('aria-expanded', 'true');
    await expect(option).toHaveAttribute('aria-selected', 'true');

    await page.keyboard.press('Tab');
    await expect(filter).toHaveValue('params.seed');
    await expect(filter).toBeFocused();
    await expect(panel.getByRole('listbox')).toHaveCount(0);

    await page.keyboard.type(' = 69');
    await expect(filter).toHaveValue('params.seed = 69');
    await expect(rows).toHaveCount(1);
  });
});
