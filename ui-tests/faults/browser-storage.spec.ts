/**
 * Fault: the browser's IndexedDB, where writes wait for the server, cannot be
 * used: absent (as in some private windows and locked-down browsers), or its
 * quota exceeded (Chromium's quota for the Lab's origin set to 1 KB through
 * the DevTools protocol). Runs must still reach the server, and the user be
 * told once.
 */
import * as path from 'path';
import type { Page } from '@playwright/test';
import { readRun } from '../tests/store-files';
import type { FaultLab } from './lab';
import { waitFor } from './lab';
import {
  expect,
  loggedPoints,
  loggingCell,
  openRecording,
  scanStore,
  startCell,
  test,
  toastTexts,
  writeNotebook
} from './fixtures';

test.describe.configure({ timeout: 240000 });

const STEPS = 1500;
const WARNING = "this browser's storage (IndexedDB) cannot be used";

/** How a test takes IndexedDB away before the Lab opens. */
type Breakage = {
  what: string;
  /** What the browser says, as Details show it. */
  said: RegExp;
  break(page: Page, lab: FaultLab): Promise<void>;
};

const UNAVAILABLE: Breakage = {
  what: 'IndexedDB unavailable',
  said: /no IndexedDB/,
  break: async page => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', {
        value: undefined,
        configurable: true
      });
    });
  }
};

const QUOTA: Breakage = {
  what: 'IndexedDB quota exceeded',
  said: /quota|Quota/,
  break: async (page, lab) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: lab.base,
      quotaSize: 1024
    });
  }
};

for (const breakage of [UNAVAILABLE, QUOTA]) {
  test(breakage.what, async ({ api, lab, page, row }) => {
    row.checked =
      'warned once (Details say why); every point reaches the server; no page exception';
    await breakage.break(page, lab);
    const progress = path.join(lab.root, 'progress.txt');
    const notebookPath = writeNotebook(
      lab,
      'browser-storage.ipynb',
      loggingCell(STEPS, progress)
    );
    await openRecording(page, lab, api, notebookPath);
    await startCell(page);
    const warning = await waitFor(
      async () => (await toastTexts(page)).find(text => text.includes(WARNING)),
      60000,
      'the warning that the browser storage cannot be used'
    );
    row.notes.push(`warned: "${warning.split('\n')[0]}"`);
    await page
      .locator('.Toastify__toast')
      .filter({ hasText: WARNING })
      .getByRole('button', { name: 'Details' })
      .click();
    const details = page.locator('.jp-Dialog');
    await expect(details).toContainText(breakage.said);
    row.notes.push(
      `details: "${((await details.innerText()).split('\n').find(line => line.startsWith('The browser said')) ?? '').slice(0, 120)}"`
    );
    await details.getByRole('button', { name: 'Close' }).click();

    await waitFor(
      () => loggedPoints(progress) === STEPS,
      120000,
      'the logging cell to end'
    );
    row.logged = STEPS;
    const run = await waitFor(
      async () => {
        const found = await readRun(api, notebookPath);
        return found?.metrics.loss?.count === STEPS ? found : null;
      },
      60000,
      'every point stored'
    ).catch(async () => (await readRun(api, notebookPath))!);
    const stored = run.metrics.loss;
    row.stored = stored?.count ?? 0;
    row.lost = STEPS - row.stored;
    const scan = scanStore(lab);
    row.files = scan.files;
    row.torn = scan.torn.length;

    expect(
      (await toastTexts(page)).filter(text => text.includes(WARNING)),
      'said once'
    ).toHaveLength(1);
    expect(row.lost).toBe(0);
    expect(stored.steps).toEqual(
      Array.from({ length: STEPS }, (_, step) => step)
    );
    expect(scan.unreadable).toEqual([]);
    expect(row.exceptions).toBe(0);
  });
}
