/**
 * What every fault spec shares: its own Lab server (`lab`), a page and an
 * API context on it, a result row appended to build/faults/results.jsonl
 * whatever happens, and reading the store folder from disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { APIRequestContext, Page } from '@playwright/test';
import {
  expect,
  request as playwrightRequest,
  test as base
} from '@playwright/test';
import { FaultLab, FAULTS, waitFor } from './lab';
import { readRun, STORE, storedSessions } from '../tests/store-files';

export const RESULTS = path.join(FAULTS, 'results.jsonl');
const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');

/** One row of the table `npm run test:faults` prints. */
export type FaultRow = {
  fault: string;
  checked: string;
  logged: number | null;
  stored: number | null;
  lost: number | null;
  files: number | null;
  torn: number | null;
  /** Secrets planted, and how many of them were found stored. */
  planted: number | null;
  leaked: number | null;
  exceptions: number;
  notes: string[];
};

export const test = base.extend<{
  lab: FaultLab;
  api: APIRequestContext;
  row: FaultRow;
}>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use, testInfo) => {
    const lab = new FaultLab(
      testInfo.titlePath.slice(1).join('-').replace(/\W+/g, '-')
    );
    try {
      await lab.start();
      await use(lab);
    } finally {
      await lab.stop();
    }
  },
  api: async ({ lab }, use) => {
    const api = await playwrightRequest.newContext({ baseURL: lab.base });
    await use(api);
    await api.dispose();
  },
  // Appended after the test, with its outcome, even when it failed.
  row: async ({ context }, use, testInfo) => {
    const row: FaultRow = {
      fault: testInfo.title,
      checked: '',
      logged: null,
      stored: null,
      lost: null,
      files: null,
      torn: null,
      planted: null,
      leaked: null,
      exceptions: 0,
      notes: []
    };
    // Uncaught errors in any page of the test.
    context.on('weberror', webError => {
      row.exceptions += 1;
      row.notes.push(`page error: ${String(webError.error()).slice(0, 200)}`);
    });
    await use(row);
    const failed = testInfo.status !== testInfo.expectedStatus;
    fs.mkdirSync(FAULTS, { recursive: true });
    fs.appendFileSync(
      RESULTS,
      JSON.stringify({
        ...row,
        result: failed ? 'FAILED' : 'passed',
        error: failed
          ? String(testInfo.error?.message ?? testInfo.status)
              .replace(/\u001b\[[0-9;]*m/g, '')
              .split('\n')[0]
          : null,
        seconds: Math.round(testInfo.duration / 1000)
      }) + '\n'
    );
  }
});

export { expect };

/**
 * Write a notebook of code cells with these sources at `name` in the lab's
 * root (the fixture long-training.ipynb, its cells replaced).
 */
export function writeNotebook(
  lab: FaultLab,
  name: string,
  ...sources: string[]
): string {
  const notebook = JSON.parse(
    fs.readFileSync(path.join(NOTEBOOKS, 'long-training.ipynb'), 'utf-8')
  );
  const [cell] = notebook.cells;
  notebook.cells = sources.map((source, i) => ({
    ...cell,
    id: `fault-${i}`,
    source
  }));
  fs.writeFileSync(path.join(lab.root, name), JSON.stringify(notebook));
  return name;
}

/**
 * Open the Lab on a notebook and wait until the app is restored; `at` is
 * the lab, or the base URL the page reaches it through (a proxy).
 */
export async function openNotebook(
  page: Page,
  at: FaultLab | string,
  notebookPath: string
): Promise<void> {
  const base = typeof at === 'string' ? at : at.base;
  await page.goto(`${base}/lab/tree/${notebookPath}`);
  await page.waitForFunction(() => !!(window as any).jupyterapp, null, {
    timeout: 60000
  });
  await page.evaluate(() => (window as any).jupyterapp.restored);
}

/**
 * Open a notebook and wait until its kernel records: the helper is in the
 * kernel once the kernel's session is stored, and only cells run after
 * that are recorded. Resolves with the kernel's id.
 */
export async function openRecording(
  page: Page,
  at: FaultLab | string,
  api: APIRequestContext,
  notebookPath: string
): Promise<string> {
  await openNotebook(page, at, notebookPath);
  const kernel = await kernelId(page);
  await expect
    .poll(() => storedSessions(api, notebookPath), { timeout: 60000 })
    .toBe(1);
  return kernel;
}

/** Resolve once the notebook's latest run has points of `loss` stored. */
export async function firstPointsStored(
  api: APIRequestContext,
  notebookPath: string
): Promise<void> {
  await waitFor(
    async () =>
      ((await readRun(api, notebookPath))?.metrics.loss?.count ?? 0) > 0,
    60000,
    'the first points stored'
  );
}

/** Run the active cell and move on, without waiting for it to end. */
export async function startCell(page: Page): Promise<void> {
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute(
      'notebook:run-cell-and-select-next'
    );
  });
}

/**
 * A cell that logs `steps` points of `loss` about 100 a second, writing
 * the last step it logged to `progress` (read after the kernel died).
 */
export function loggingCell(steps: number, progress: string): string {
  return [
    'import os, time',
    'import jupyterlab_runs as runs',
    '',
    `for i in range(${steps}):`,
    "    runs.log_metric('loss', i, step=i)",
    // Replaced whole, so a kill never leaves it empty or half written.
    `    with open(${JSON.stringify(progress + '.new')}, 'w') as f:`,
    '        f.write(str(i))',
    `    os.replace(${JSON.stringify(progress + '.new')}, ${JSON.stringify(progress)})`,
    '    time.sleep(0.01)'
  ].join('\n');
}

/** The last step the kernel logged, plus one; 0 before the first. */
export function loggedPoints(progress: string): number {
  return fs.existsSync(progress)
    ? Number(fs.readFileSync(progress, 'utf-8')) + 1
    : 0;
}

/** The id of the kernel of the notebook the page shows. */
export async function kernelId(page: Page): Promise<string> {
  const id = await page.waitForFunction(
    () =>
      (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session
        ?.kernel?.id,
    null,
    { timeout: 60000 }
  );
  return (await id.jsonValue()) as string;
}

/**
 * Every compressed store file under the lab's store folder, read from disk:
 * how many there are, which slots do not decompress and parse (`torn`), and
 * which files have no readable slot at all (`unreadable`). An empty slot is
 * empty by design (docs/FORMAT.md, "Compressed, in two slots").
 */
export function scanStore(lab: FaultLab): {
  files: number;
  slots: number;
  torn: string[];
  unreadable: string[];
} {
  const stems = new Map<string, boolean>();
  const torn: string[] = [];
  let slots = 0;
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(file);
        continue;
      }
      const slot = /^(.*)\.[ab]\.json\.gz$/.exec(file);
      if (!slot) {
        continue;
      }
      slots += 1;
      const bytes = fs.readFileSync(file);
      let whole = false;
      if (bytes.length > 0) {
        try {
          JSON.parse(zlib.gunzipSync(bytes).toString('utf-8'));
          whole = true;
        } catch {
          torn.push(path.relative(lab.root, file));
        }
      }
      stems.set(slot[1], (stems.get(slot[1]) ?? false) || whole);
    }
  };
  const store = path.join(lab.root, STORE);
  if (fs.existsSync(store)) {
    walk(store);
  }
  const unreadable = [...stems]
    .filter(([, readable]) => !readable)
    .map(([stem]) => path.relative(lab.root, stem));
  return { files: stems.size, slots, torn, unreadable };
}

/**
 * The texts of the notifications JupyterLab shows as toasts now.
 */
export async function toastTexts(page: Page): Promise<string[]> {
  return page.locator('.Toastify__toast').allInnerTexts();
}
