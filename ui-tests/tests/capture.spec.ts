/**
 * Run capture end to end: the real Lab, kernel and store folder on disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { APIRequestContext } from '@playwright/test';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, test as baseTest } from './fixtures';
import { PLANTED_SECRETS, SERVER_ROOT } from '../lab-server';

/**
 * galata's kernel-tracking route answers every POST to /api/kernels with 201,
 * which JupyterLab rejects for a restart ("Invalid response: 201 Created"):
 * these tests restart kernels, so they talk to the server directly. Kernels
 * still end with their sessions, which galata cleans up.
 */
const test = baseTest.extend({
  // eslint-disable-next-line no-empty-pattern
  kernels: async ({}, use) => {
    await use(null as any);
  }
});

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');
const STORE = 'jupyter-runs';

type IndexRow = {
  id: string;
  name: string;
  status: string;
  params: Record<string, unknown>;
  metrics: Record<string, number | null>;
};

async function readJSON(
  request: APIRequestContext,
  filePath: string
): Promise<any> {
  const response = await request.get(
    `/api/contents/${filePath}?type=file&format=text&content=1`
  );
  return response.ok() ? JSON.parse((await response.json()).content) : null;
}

/** The store folder of a notebook, found by the path its index names. */
async function notebookFolder(
  request: APIRequestContext,
  notebookPath: string
): Promise<string | null> {
  const response = await request.get(`/api/contents/${STORE}/notebooks`);
  if (!response.ok()) {
    return null;
  }
  for (const child of (await response.json()).content) {
    const index = await readJSON(request, `${child.path}/index.json`);
    if (index?.notebookPath === notebookPath) {
      return child.path;
    }
  }
  return null;
}

/** The notebook's runs, oldest first, as its index lists them. */
async function runRows(
  request: APIRequestContext,
  notebookPath: string
): Promise<IndexRow[]> {
  const folder = await notebookFolder(request, notebookPath);
  const index = folder ? await readJSON(request, `${folder}/index.json`) : null;
  return index ? [...index.runs].reverse() : [];
}

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

async function waitForIdleKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.waitForFunction(
    () =>
      (window.jupyterapp.shell.currentWidget as any)?.sessionContext?.session
        ?.kernel?.status === 'idle'
  );
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

    // Run 1: seed 69.
    await page.notebook.run();
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
    const folder = await notebookFolder(request, notebookPath);
    const run = await readJSON(request, `${folder}/runs/${first.id}/run.json`);
    const sources = await Promise.all(
      run.executions.map(async (execution: { sourceBlob: string }) => {
        const digest = execution.sourceBlob;
        const blob = await readJSON(
          request,
          `${STORE}/blobs/${digest.slice(0, 2)}/${digest}.json`
        );
        return blob.data;
      })
    );
    expect(sources[0]).toBe('seed = 69\nalpha = 0.1');
    expect(sources).toHaveLength(3);
    expect(run.env).toEqual(expect.any(String));

    // The Runs panel lists them, newest first.
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('jupyterlab-runs:show-panel')
    );
    const panel = page.getByRole('region', { name: 'Runs' });
    for (const row of [first, second, third]) {
      await expect(panel).toContainText(row.name);
    }
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
});

/** The files under a folder whose text contains `needle`. */
function grepFolder(folder: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      found.push(...grepFolder(full, needle));
    } else if (fs.readFileSync(full, 'utf-8').includes(needle)) {
      found.push(full);
    }
  }
  return found;
}
