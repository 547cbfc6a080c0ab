/**
 * Run capture end to end: the real Lab, kernel and store folder on disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { spawnSync } from 'child_process';
import { PLANTED_SECRETS, REPO, SERVER_ROOT, VENV, WORK } from '../lab-server';
import { readRun, runRows, STORE, storedSessions } from './store-files';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

async function openFixture(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string
): Promise<string> {
  const notebookPath = `${tmpPath}/${name}`;
  await page.contents.uploadFile(path.join(NOTEBOOKS, name), notebookPath);
  expect(await page.notebook.openByPath(notebookPath)).toBe(true);
  await waitForIdleKernel(page);
  return notebookPath;
}

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.menu.clickMenuItem('Kernel>Restart Kernel…');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await waitForIdleKernel(page);
}

test.describe('Run capture', () => {
  test.describe.configure({ timeout: 120000 });

  test('should record the seed story as three runs', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = await openFixture(page, tmpPath, 'seed-story.ipynb');
    const rows = () => runRows(request, notebookPath);

    // Opening a notebook starts a kernel session but records no empty run.
    await expect
      .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
      .toBe(1);
    expect(await rows()).toEqual([]);
    // ... and says it is ready to record rather than showing a running run.
    const indicator = page.locator(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RunsIndicator'
    );
    await expect(indicator).toHaveText('Ready to record');

    // Run 1: seed 69.
    await page.notebook.run();
    await expect(indicator).toContainText('running');
    await expect
      .poll(async () => (await rows()).map(row => row.params.seed))
      .toEqual([69]);
    await expect
      .poll(async () => (await rows())[0].metrics.mean_squared_error)
      .toEqual(expect.any(Number));

    // Run 2: the kernel restarts, seed becomes 42.
    await restartKernel(page);
    await page.notebook.setCell(0, 'code', 'seed = 42\nalpha = 0.1');
    await page.notebook.run();
    await expect
      .poll(async () =>
        (await rows()).map(row => [row.params.seed, row.params.alpha])
      )
      .toEqual([
        [69, 0.1],
        [42, 0.1]
      ]);
    await expect
      .poll(async () => (await rows())[1].metrics.mean_squared_error)
      .toEqual(expect.any(Number));

    // Run 3: no restart; alpha changes and only the training cell runs again.
    await page.notebook.setCell(0, 'code', 'seed = 42\nalpha = 0.5');
    await page.notebook.runCell(0);
    await page.notebook.runCell(2);
    await expect
      .poll(async () =>
        (await rows()).map(row => [row.params.seed, row.params.alpha])
      )
      .toEqual([
        [69, 0.1],
        [42, 0.1],
        [42, 0.5]
      ]);
    await expect
      .poll(async () => (await rows())[2].metrics.mean_squared_error)
      .toEqual(expect.any(Number));
    const [first, second, third] = await rows();
    expect(first.status).toBe('finished');
    expect(second.metrics.mean_squared_error).not.toBe(
      third.metrics.mean_squared_error
    );

    // Each run keeps the code exactly as it ran, and its environment.
    const run = await readRun(request, notebookPath, first.id);
    expect(run?.sources[0]).toBe('seed = 69\nalpha = 0.1');
    expect(run?.sources).toHaveLength(3);
    expect(run?.env).toEqual(
      expect.objectContaining({ python: expect.any(Object) })
    );

    // The Runs panel lists them, newest first.
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('jupyterlab-runs:show-panel')
    );
    const panel = page.getByRole('region', { name: 'Runs' });
    for (const row of [first, second, third]) {
      await expect(panel).toContainText(row.name);
    }
  });

  test('should read xgboost evaluation lines as a metric series', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = await openFixture(page, tmpPath, 'xgboost-eval.ipynb');
    await page.notebook.run();

    await expect
      .poll(async () => (await runRows(request, notebookPath))[0]?.metrics)
      .toHaveProperty('validation-rmse');
    await expect
      .poll(async () => (await readRun(request, notebookPath))?.metrics)
      .toMatchObject({
        'validation-rmse': { source: 'output', count: 12, lastStep: 11 }
      });
    const run = await readRun(request, notebookPath);
    expect(run?.metrics['validation-rmse'].steps).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ]);
  });

  test('should keep every point logged while the page was closed', async ({
    context,
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/long-training.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'long-training.ipynb'),
      notebookPath
    );
    // A second tab trains; the galata page stays on the file browser.
    const tab = await context.newPage();
    await tab.goto(`/lab/tree/${notebookPath}`);
    await tab.waitForFunction(() => !!window.jupyterapp);
    // The helper is attached once its kernel session is stored.
    await expect
      .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
      .toBe(1);
    const started = Date.now();
    // Not awaited in the page: the command resolves when the cell ends.
    await tab.evaluate(() => {
      void window.jupyterapp.commands.execute('notebook:run-cell');
    });
    // The tab closes mid-training, once the first points are stored or
    // after 6 s at the latest; the kernel goes on for ~10 s in all. The
    // points of the last seconds can then only come from the kernel's
    // buffer, replayed to the next tab.
    await expect
      .poll(async () => (await readRun(request, notebookPath))?.metrics, {
        intervals: [250],
        timeout: 6000
      })
      .toHaveProperty('loss')
      .catch(() => undefined);
    await tab.close();
    expect(Date.now() - started).toBeLessThan(9000);
    await page.waitForTimeout(12000);
    await page.evaluate(async path => {
      await window.jupyterapp.commands.execute('docmanager:open', { path });
    }, notebookPath);

    await expect
      .poll(async () => (await readRun(request, notebookPath))?.metrics.loss, {
        timeout: 30000
      })
      .toMatchObject({ count: 100, lastStep: 99 });
    const run = await readRun(request, notebookPath);
    expect(run?.metrics.loss.steps).toEqual(
      Array.from({ length: 100 }, (_, step) => step)
    );
  });

  test('should store no secret', async ({ page, request, tmpPath }) => {
    const notebookPath = await openFixture(page, tmpPath, 'secrets.ipynb');
    await page.notebook.run();
    expect((await page.notebook.getCellTextOutput(0))?.join('')).toContain(
      'ghp_'
    );
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length)
      .toBe(1);
    await page.notebook.save();

    const store = path.join(SERVER_ROOT, STORE);
    await expect.poll(() => grepFolder(store, 'api_key')).not.toEqual([]);
    for (const secret of PLANTED_SECRETS) {
      expect(grepFolder(store, secret), secret).toEqual([]);
    }
  });

  test('should record one run without duplicates from two tabs on a notebook', async ({
    context,
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = await openFixture(page, tmpPath, 'two-tabs.ipynb');
    await expect
      .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
      .toBe(1);
    // A second tab on the same notebook shares its kernel; it attached last,
    // so the kernel's events go to it.
    const second = await context.newPage();
    await second.goto(`/lab/tree/${notebookPath}`);
    await second.waitForFunction(() => !!window.jupyterapp);
    // Nothing ran yet: ready to record, no run shown.
    await expect(second.locator('.jp-RunsIndicator')).toHaveText(
      'Ready to record',
      { timeout: 30000 }
    );

    // Each tab runs one cell.
    await page.notebook.runCell(0);
    await second.evaluate(async () => {
      const { commands } = window.jupyterapp;
      await commands.execute('notebook:move-cursor-down');
      await commands.execute('notebook:run-cell');
    });

    // Both executions keep their outputs, whichever tab displayed them.
    await expect
      .poll(
        async () => (await readRun(request, notebookPath))?.outputs.sort(),
        { timeout: 30000 }
      )
      .toEqual([1, 2]);
    const run = await readRun(request, notebookPath);
    expect(run?.sources).toEqual([
      "seed = 7\nprint('rmse: 1.0')",
      "print('rmse: 0.5')"
    ]);
    expect(run?.metrics.rmse.values).toEqual([1, 0.5]);

    // A reload of the writing tab replays nothing twice.
    await second.reload();
    await expect(second.locator('.jp-RunsIndicator-run')).toBeVisible({
      timeout: 30000
    });
    await page.notebook.runCell(0);
    await expect
      .poll(async () => (await readRun(request, notebookPath))?.sources.length)
      .toBe(3);
    expect(await runRows(request, notebookPath)).toHaveLength(1);
    expect(await storedSessions(request, notebookPath)).toBe(1);
    await second.close();
  });

  test('should record a notebook executed headless by nbclient', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/headless.ipynb`;
    await page.contents.uploadFile(
      path.join(NOTEBOOKS, 'headless.ipynb'),
      notebookPath
    );

    const executed = executeHeadless(notebookPath);
    expect(executed.status, executed.stderr).toBe(0);

    // The open Lab imports the kernel's spool file within its 10 s poll.
    await expect
      .poll(async () => (await runRows(request, notebookPath)).length, {
        timeout: 60000
      })
      .toBe(1);
    const [row] = await runRows(request, notebookPath);
    expect(row).toMatchObject({
      status: 'finished',
      params: { seed: 69, learning_rate: 0.1 }
    });
    const run = await readRun(request, notebookPath);
    expect(run?.sources).toEqual([
      'seed = 69\nlearning_rate = 0.1',
      expect.stringContaining('validation-rmse')
    ]);
    expect(run?.env).toMatchObject({ python: expect.any(Object) });
    expect(run?.metrics['validation-rmse'].steps).toEqual([0, 1, 2, 3, 4]);
    // Imported spool files are deleted (the server leaves an empty
    // .ipynb_checkpoints folder behind when it deletes a file).
    // Only this kernel's file: the folder is shared with the kernels other
    // tests shut down (spooled at exit), which their pages may have claimed
    // and left when their test ended (taken over 10 minutes later).
    const spool = path.join(SERVER_ROOT, STORE, 'spool');
    await expect
      .poll(
        () =>
          (fs.existsSync(spool) ? fs.readdirSync(spool) : []).filter(name =>
            name.startsWith(`${row.session}.`)
          ),
        { timeout: 30000 }
      )
      .toEqual([]);

    // The Runs panel lists it like any other run.
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('jupyterlab-runs:show-panel')
    );
    await expect(
      page.locator('.jp-RunsPanel').getByText(row.name)
    ).toBeVisible();
  });
});

/**
 * Execute a notebook of the server root the way a scheduled job would, with
 * `jupyter execute` (nbclient) and no browser. The kernel loads the helper
 * from an IPython startup file, as the wheel's
 * etc/ipython/startup/jupyterlab-runs.py makes it do; the package comes from
 * the repository.
 */
function executeHeadless(notebookPath: string) {
  const ipython = path.join(WORK, 'headless-ipython');
  fs.mkdirSync(path.join(ipython, 'profile_default', 'startup'), {
    recursive: true
  });
  fs.copyFileSync(
    path.join(
      REPO,
      'jupyter-config',
      'ipython',
      'startup',
      'jupyterlab-runs.py'
    ),
    path.join(ipython, 'profile_default', 'startup', 'jupyterlab-runs.py')
  );
  const state = path.join(WORK, 'jupyter');
  return spawnSync(
    path.join(VENV, 'bin', 'jupyter-execute'),
    [path.join(SERVER_ROOT, notebookPath)],
    {
      encoding: 'utf-8',
      timeout: 120000,
      env: {
        ...process.env,
        PYTHONPATH: REPO,
        IPYTHONDIR: ipython,
        // The server's runtime folder: where the kernel finds its root.
        JUPYTER_RUNTIME_DIR: path.join(state, 'runtime'),
        JUPYTER_CONFIG_DIR: path.join(state, 'config'),
        JUPYTER_DATA_DIR: path.join(state, 'data'),
        PYDEVD_DISABLE_FILE_VALIDATION: '1'
      }
    }
  );
}

/**
 * The files under a folder whose text contains `needle`; compressed store
 * files (`.json.gz`) are read as `zcat` would.
 */
function grepFolder(folder: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...grepFolder(full, needle));
      continue;
    }
    const bytes = fs.readFileSync(full);
    const text =
      full.endsWith('.gz') && bytes.length > 0
        ? zlib.gunzipSync(bytes).toString('utf-8')
        : bytes.toString('utf-8');
    if (text.includes(needle)) {
      found.push(full);
    }
  }
  return found;
}
