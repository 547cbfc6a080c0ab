/**
 * Re-running a recorded run in a fresh kernel, in the real Lab, kernel and
 * Chromium: a seeded scikit-learn notebook reproduces; the same notebook with
 * an unseeded split differs, by an amount the view states.
 */
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { notebookFolder, readStoreFile, runRows } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/**
 * Upload the seed story as `name`, with cell 1 replaced when `split` is
 * given, run it all once and give the recorded run's id and metric.
 */
async function recordSeedStory(
  page: IJupyterLabPageFixture,
  request: Parameters<typeof runRows>[0],
  notebookPath: string,
  split: string | null
): Promise<{ runId: string; metric: number }> {
  await page.contents.uploadFile(
    path.join(NOTEBOOKS, 'seed-story.ipynb'),
    notebookPath
  );
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  if (split !== null) {
    await page.notebook.setCell(1, 'code', split);
  }
  await page.notebook.run();
  await expect
    .poll(async () => (await runRows(request, notebookPath))[0]?.metrics, {
      timeout: 30000
    })
    .toEqual({ mean_squared_error: expect.any(Number) });
  const [row] = await runRows(request, notebookPath);
  return { runId: row.id, metric: row.metrics.mean_squared_error as number };
}

/**
 * Start the re-run command and answer the dialog that shows the code it
 * will execute and the kernel it starts (checked against `expected`, when
 * given): `Run` or `Cancel`.
 */
async function startRerun(
  page: IJupyterLabPageFixture,
  args: { notebookPath: string; runId: string; order: string },
  answer: 'Run' | 'Cancel',
  expected?: { sources: string[]; kernel: string }
) {
  await page.evaluate(args => {
    void window.jupyterapp.commands.execute('jupyterlab-runs:rerun', args);
  }, args);
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-RunsRerunConfirm')).toBeVisible({
    timeout: 30000
  });
  if (expected) {
    await expect(dialog.locator('.jp-RunsRerunConfirm-source')).toHaveText(
      expected.sources
    );
    await expect(dialog.locator('.jp-RunsRerunConfirm-kernelName')).toHaveText(
      expected.kernel
    );
    await expect(
      dialog.locator('.jp-RunsRerunConfirm-kernelDisplay')
    ).toHaveText('Python 3 (ipykernel)');
  }
  await dialog.getByRole('button', { name: answer, exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

/** Run the re-run command, confirm it, and wait for its verdict. */
async function rerun(
  page: IJupyterLabPageFixture,
  notebookPath: string,
  runId: string
) {
  await startRerun(page, { notebookPath, runId, order: 'executed' }, 'Run');
  const view = page.locator('.jp-RunsRerun').last();
  await expect(view.locator('.jp-RunsRerun-overall')).toBeVisible({
    timeout: 90000
  });
  return view;
}

test.describe('Re-run', () => {
  test.describe.configure({ timeout: 240000 });

  test('should reproduce a seeded notebook, recorded as a linked new run', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/seeded.ipynb`;
    const original = await recordSeedStory(page, request, notebookPath, null);
    const sessionsBefore = await page.evaluate(() =>
      [...window.jupyterapp.serviceManager.sessions.running()].map(s => s.id)
    );
    const working = () =>
      page.evaluate(path => {
        const panel = [...window.jupyterapp.shell.widgets('main')].find(
          (widget: any) => widget.context?.path === path
        ) as any;
        return JSON.stringify(
          panel.content.model
            .toJSON()
            .cells.map((cell: any) => [
              cell.source,
              cell.execution_count,
              cell.outputs
            ])
        );
      }, notebookPath);
    const workingBefore = await working();

    const view = await rerun(page, notebookPath, original.runId);

    await expect(view.locator('.jp-RunsRerun-overall')).toHaveText(
      'Reproduced'
    );
    await expect(
      view.locator('tr.jp-mod-reproduced', { hasText: 'mean_squared_error' })
    ).toBeVisible();
    // A new run of the same notebook, with the same metric, linked to the
    // original by its tag; the re-run's kernel is gone.
    const rows = await runRows(request, notebookPath);
    expect(rows).toHaveLength(2);
    expect(rows[1].name).toMatch(/^re-run of /);
    expect(rows[1].metrics.mean_squared_error).toBe(original.metric);
    const folder = await notebookFolder(request, notebookPath);
    const annotations = await readStoreFile(
      request,
      `${folder}/annotations.json.gz`
    );
    expect(annotations.runs[rows[1].id].tags.reproduces.value).toBe(
      original.runId
    );
    // Named after its run and its verdict, in the list and on its tab.
    const originalName = rows[0].name;
    expect(annotations.runs[rows[1].id].name.value).toBe(
      `re-run of ${originalName} ✓`
    );
    await expect(
      page.locator('.lm-TabBar-tab', { hasText: 'Re-run of' }).last()
    ).toHaveText(`Re-run of ${originalName} ✓`);
    await expect
      .poll(() =>
        page.evaluate(() =>
          [...window.jupyterapp.serviceManager.sessions.running()].map(
            s => s.id
          )
        )
      )
      .toEqual(sessionsBefore);
    // The working notebook was not touched.
    expect(await working()).toBe(workingBefore);
  });

  test('should show the code and the kernel before running, and run nothing when cancelled', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/asked.ipynb`;
    await page.contents.uploadContent(
      JSON.stringify({
        cells: [
          {
            cell_type: 'code',
            id: 'one',
            metadata: {},
            outputs: [],
            execution_count: null,
            source: 'x = 6 * 7'
          },
          {
            cell_type: 'code',
            id: 'two',
            metadata: {},
            outputs: [],
            execution_count: null,
            source: 'print("<b>answer</b>", x)'
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
      }),
      'text',
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    await page.notebook.run();
    await expect
      .poll(async () => (await runRows(request, notebookPath))[0]?.status, {
        timeout: 30000
      })
      .toBe('running');
    const [original] = await runRows(request, notebookPath);
    const sessionsBefore = await page.evaluate(() =>
      [...window.jupyterapp.serviceManager.sessions.running()].map(s => s.id)
    );

    await startRerun(
      page,
      { notebookPath, runId: original.id, order: 'executed' },
      'Cancel',
      {
        sources: ['x = 6 * 7', 'print("<b>answer</b>", x)'],
        kernel: 'python3'
      }
    );

    // Nothing started, nothing recorded.
    await page.waitForTimeout(2000);
    await expect(page.locator('.jp-RunsRerun')).toHaveCount(0);
    expect(
      await page.evaluate(() =>
        [...window.jupyterapp.serviceManager.sessions.running()].map(s => s.id)
      )
    ).toEqual(sessionsBefore);
    expect(await runRows(request, notebookPath)).toHaveLength(1);
  });

  test('should say by how much an unseeded split differs', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/unseeded.ipynb`;
    const original = await recordSeedStory(
      page,
      request,
      notebookPath,
      'from sklearn.datasets import load_diabetes\n' +
        'from sklearn.linear_model import Ridge\n' +
        'from sklearn.metrics import mean_squared_error\n' +
        'from sklearn.model_selection import train_test_split\n\n' +
        'X, y = load_diabetes(return_X_y=True)\n' +
        'X_train, X_test, y_train, y_test = train_test_split(X, y)'
    );

    const view = await rerun(page, notebookPath, original.runId);

    await expect(view.locator('.jp-RunsRerun-overall')).toHaveText('Differs');
    const row = view.locator('tr.jp-mod-differs', {
      hasText: 'mean_squared_error'
    });
    await expect(row).toBeVisible();
    const [, before, after, difference] = await row
      .locator('td')
      .allTextContents()
      .then(cells => ['', ...cells]);
    expect(Number(before)).toBeCloseTo(original.metric, 3);
    expect(Number(after)).not.toBeCloseTo(original.metric, 3);
    // "+12.34 (+4.1%)": the difference and its size relative to the original.
    expect(difference).toMatch(/^[+-]\d+(\.\d+)?(e[+-]\d+)? \([+-][\d.]+%\)$/);
    const rows = await runRows(request, notebookPath);
    // Shown to 4 significant digits.
    const shown = Number(difference.split(' ')[0]);
    const stored =
      (rows[1].metrics.mean_squared_error as number) - original.metric;
    expect(Math.abs(stored - shown)).toBeLessThanOrEqual(
      Math.abs(shown) * 1e-3
    );
  });

  test('should stop when cancelled, keeping what ran as an interrupted run', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/slow.ipynb`;
    // The cell sleeps as long as delay.txt says: not at all the first time,
    // a minute in the re-run.
    await page.contents.uploadContent('0', 'text', `${tmpPath}/delay.txt`);
    const notebook = {
      cells: [
        {
          cell_type: 'code',
          id: 'sleep',
          metadata: {},
          outputs: [],
          execution_count: null,
          source:
            'import pathlib, time\nseconds = float(pathlib.Path("delay.txt").read_text())\ntime.sleep(seconds)'
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
    await page.contents.uploadContent(
      JSON.stringify(notebook),
      'text',
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    await page.notebook.run();
    await expect
      .poll(async () => (await runRows(request, notebookPath))[0]?.status, {
        timeout: 30000
      })
      .toBeTruthy();
    const [original] = await runRows(request, notebookPath);
    await page.contents.uploadContent('60', 'text', `${tmpPath}/delay.txt`);

    await startRerun(
      page,
      { notebookPath, runId: original.id, order: 'executed' },
      'Run'
    );
    const view = page.locator('.jp-RunsRerun').last();
    await expect(view.getByText('Execution 1 of 1')).toBeVisible({
      timeout: 60000
    });
    const started = Date.now();
    await view.getByRole('button', { name: 'Cancel' }).click();

    await expect(
      view.getByText('Cancelled after 1 of 1 executions.')
    ).toBeVisible({ timeout: 30000 });
    expect(Date.now() - started).toBeLessThan(30000);
    await expect
      .poll(async () => (await runRows(request, notebookPath))[1]?.status)
      .toBe('interrupted');
  });
});
