/**
 * Fault: the store folder cannot be written while a run logs ~100 points a
 * second — made read-only (`chattr +i`: root ignores permission bits), or
 * every write the server makes over 2 KB failing (the server's file-size
 * limit lowered with `prlimit`: EFBIG, as a full disk fails a write part
 * way). Then it can be written again.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { Page } from '@playwright/test';
import { readRun, runRows, STORE, storedSessions } from '../tests/store-files';
import type { FaultLab } from './lab';
import { waitFor } from './lab';
import {
  expect,
  firstPointsStored,
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

const STEPS = 2500;

/** How a spec stops the store folder from being written, and undoes it. */
type Breakage = {
  what: string;
  /** The gist of the server's refusal, as the notification says it. */
  reason: string;
  checked: string;
  break(lab: FaultLab): void;
  mend(lab: FaultLab): void;
};

function run(command: string, ...args: string[]): void {
  const done = spawnSync(command, args, { encoding: 'utf-8' });
  if (done.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${done.stderr || done.error}`
    );
  }
}

const READ_ONLY: Breakage = {
  what: 'store folder read-only mid-run',
  reason: 'Permission denied',
  checked:
    'notification naming file and reason; notebook keeps running; earlier run unchanged; all points land once writable',
  break: lab => run('chattr', '-R', '+i', path.join(lab.root, STORE)),
  mend: lab => run('chattr', '-R', '-i', path.join(lab.root, STORE))
};

const DISK_FAILS: Breakage = {
  what: 'disk writes fail mid-run (EFBIG over 2 KB)',
  reason: 'File too large',
  checked:
    'notification naming file and reason; notebook keeps running; earlier run unchanged; no torn file; all points land',
  break: lab => run('prlimit', `--pid=${lab.pid}`, '--fsize=2048:unlimited'),
  mend: lab => run('prlimit', `--pid=${lab.pid}`, '--fsize=unlimited')
};

/** Restart the notebook's kernel: its run ends, the next cell starts one. */
async function restartKernel(page: Page): Promise<void> {
  await page.evaluate(() =>
    (
      window as any
    ).jupyterapp.shell.currentWidget.sessionContext.restartKernel()
  );
}

/** Run the cell at `index` and wait until it has finished. */
async function runCell(page: Page, index: number): Promise<void> {
  await page.evaluate(async index => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    panel.content.activeCellIndex = index;
    await (window as any).jupyterapp.commands.execute('notebook:run-cell');
  }, index);
}

for (const breakage of [READ_ONLY, DISK_FAILS]) {
  test(breakage.what, async ({ api, lab, page, row }) => {
    row.checked = breakage.checked;
    const progress = path.join(lab.root, 'progress.txt');
    const notebookPath = writeNotebook(
      lab,
      'store-write.ipynb',
      "import jupyterlab_runs as runs\nruns.log_param('seed', 69)\nruns.log_metric('auc', 0.91)",
      loggingCell(STEPS, progress),
      "print('still working', 6 * 7)"
    );
    await openRecording(page, lab, api, notebookPath);

    // An earlier run, finished and written.
    await runCell(page, 0);
    await restartKernel(page);
    await expect
      .poll(() => storedSessions(api, notebookPath), { timeout: 60000 })
      .toBe(2);
    const earlier = await waitFor(
      async () => {
        const rows = await runRows(api, notebookPath);
        return rows.length === 1 && rows[0].status !== 'running'
          ? rows[0]
          : null;
      },
      60000,
      'the earlier run to be stored ended'
    );
    const earlierRun = await readRun(api, notebookPath, earlier.id);

    // The run that logs, then the folder breaks.
    await page.evaluate(() => {
      (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex =
        1;
    });
    await startCell(page);
    await firstPointsStored(api, notebookPath);
    breakage.break(lab);
    let mended = false;
    try {
      const brokenAt = Date.now();
      const refusal = await waitFor(
        async () =>
          (await toastTexts(page)).find(text =>
            text.includes('Runs are not being saved')
          ),
        30000,
        'the notification that runs are not being saved'
      );
      row.notes.push(
        `notified ${((Date.now() - brokenAt) / 1000).toFixed(1)} s after the break: "${refusal.slice(0, 160)}…"`
      );
      expect(refusal).toContain(
        `Runs are not being saved: ${breakage.reason}. Saving is paused`
      );
      // Details name the file and give the server's whole answer.
      await page
        .locator('.Toastify__toast')
        .filter({ hasText: 'Runs are not being saved' })
        .getByRole('button', { name: 'Details' })
        .click();
      const details = page.locator('.jp-Dialog');
      await expect(details).toContainText(
        new RegExp(
          `The server refused to write ${STORE}/notebooks/\\S+\\.json\\.gz`
        )
      );
      await expect(details).toContainText('Nothing saved before was changed');
      await details.getByRole('button', { name: 'Close' }).click();
      // So does the notebook toolbar, beside the run.
      await expect(page.locator('.jp-RunsIndicator-saving')).toHaveText(
        'not saving'
      );
      // And the Runs panel, on a line of its own.
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.execute(
          'jupyterlab-runs:show-panel'
        )
      );
      await expect(page.locator('.jp-RunsPanel-refused')).toContainText(
        `Not saving: the server refused to write ${STORE}/notebooks/`,
        { timeout: 30000 }
      );

      // The notebook keeps working: the logging cell ends, another runs.
      await waitFor(
        () => loggedPoints(progress) === STEPS,
        120000,
        'the logging cell to end'
      );
      await runCell(page, 2);
      await expect(
        page.locator('.jp-OutputArea-output').filter({
          hasText: 'still working 42'
        })
      ).toBeVisible({ timeout: 30000 });
      expect(
        (await toastTexts(page)).filter(text =>
          text.includes('Runs are not being saved')
        ),
        'one notification, not one per failed write'
      ).toHaveLength(1);

      breakage.mend(lab);
      mended = true;
      await page
        .locator('.Toastify__toast')
        .filter({ hasText: 'Runs are not being saved' })
        .getByRole('button', { name: 'Retry Now' })
        .click();
      const savedAgain = await waitFor(
        async () =>
          (await toastTexts(page)).find(text =>
            text.includes('Runs are saved again')
          ),
        60000,
        'the notification that runs are saved again'
      );
      expect(savedAgain).toBeTruthy();
      await expect(page.locator('.jp-RunsIndicator-saving')).toHaveCount(0);
    } finally {
      if (!mended) {
        breakage.mend(lab);
      }
    }

    // Everything landed; nothing recorded before changed.
    const logged = loggedPoints(progress);
    row.logged = logged;
    const current = await waitFor(
      async () => {
        const found = await readRun(api, notebookPath);
        return found?.metrics.loss?.count === logged && found.outputs.length > 0
          ? found
          : null;
      },
      60000,
      'every logged point and the last output stored'
    ).catch(async () => (await readRun(api, notebookPath))!);
    const stored = current.metrics.loss;
    row.stored = stored.count;
    row.lost = logged - stored.count;
    const scan = scanStore(lab);
    row.files = scan.files;
    row.torn = scan.torn.length;
    if (scan.torn.length) {
      row.notes.push(`torn slots: ${scan.torn.join(', ')}`);
    }
    expect(await readRun(api, notebookPath, earlier.id)).toEqual(earlierRun);
    expect(current.outputs.length).toBeGreaterThan(0);
    expect(stored.steps).toEqual(
      Array.from({ length: stored.count }, (_, step) => step)
    );
    expect(row.lost).toBe(0);
    expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
    expect(row.torn).toBe(0);
  });
}
