/**
 * Fault: the server cannot be reached for 20 s while the page stays open:
 * (a) the network between the page and the server is cut (a TCP proxy
 * stops and drops every connection) while the kernel goes on logging;
 * (b) the server is stopped (SIGTERM: it shuts its kernels down) and started
 * again. The write-ahead queue holds what the page has, the Runs sidebar
 * says it is offline, and everything lands in order once the server is back.
 */
import * as path from 'path';
import type { Locator, Page } from '@playwright/test';
import {
  notebookFolder,
  readRun,
  readStoreFile,
  runRows,
  waitForQuietStore
} from '../tests/store-files';
import { PORT, sleep, waitFor } from './lab';
import {
  expect,
  firstPointsStored,
  loggedPoints,
  loggingCell,
  openRecording,
  scanStore,
  startCell,
  test,
  writeNotebook
} from './fixtures';
import { TcpProxy } from './proxy';

test.describe.configure({ timeout: 300000 });

/** The proxy's port: the server's plus one unless told. */
const PROXY_PORT = Number(process.env.RUNS_FAULTS_PROXY_PORT || PORT + 1);

/** How long the server cannot be reached. */
const OUTAGE = 20000;

/** The Runs sidebar's connection line says "Offline" within this. */
const OFFLINE_SHOWN = 15000;

/** Show the Runs sidebar; its connection line (the live region). */
async function showRunsPanel(page: Page): Promise<{
  panel: Locator;
  status: Locator;
}> {
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('jupyterlab-runs:show-panel')
  );
  const panel = page.getByRole('region', { name: 'Runs' });
  await expect(panel).toBeVisible();
  return {
    panel,
    status: panel.getByRole('status', { includeHidden: true })
  };
}

/** Seconds since `since`, to one decimal. */
function secondsSince(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** The titles of the dialogs the page shows. */
function dialogTitles(page: Page): Promise<string[]> {
  return page.locator('.jp-Dialog .jp-Dialog-header').allInnerTexts();
}

/**
 * Dismiss the Lab's "Server Connection Error" dialog, if shown, as a user
 * would, ticking "do not show again in this session"; whether one was.
 */
async function dismissConnectionErrors(page: Page): Promise<boolean> {
  const dialog = page
    .locator('.jp-Dialog')
    .filter({ hasText: 'Server Connection Error' });
  if (!(await dialog.isVisible())) {
    return false;
  }
  const checkbox = dialog.getByRole('checkbox');
  if (await checkbox.isVisible().catch(() => false)) {
    await checkbox.check().catch(() => undefined);
  }
  await dialog.locator('.jp-Dialog-footer button').last().click();
  await expect(dialog).toBeHidden();
  return true;
}

test('network to the server lost 20 s', async ({ api, lab, page, row }) => {
  row.checked =
    'sidebar Offline during the outage; every point logged meanwhile stored once, in order; run finished; sidebar back';
  const STEPS = 4500;
  const proxy = new TcpProxy(PROXY_PORT, lab.port);
  await proxy.up();
  try {
    const progress = path.join(lab.root, 'progress.txt');
    const notebookPath = writeNotebook(
      lab,
      'network-lost.ipynb',
      // The run ends with the cell: `finished`.
      `${loggingCell(STEPS, progress)}\nruns.end_run()`
    );
    // The page reaches the server only through the proxy; the test reads
    // the store straight from the server.
    const kernel = await openRecording(page, proxy.base, api, notebookPath);
    const { panel, status } = await showRunsPanel(page);
    await startCell(page);
    await firstPointsStored(api, notebookPath);
    const runId = (await runRows(api, notebookPath)).at(-1)!.id;
    const item = panel.locator(`.jp-RunsPanel-item[data-run-id="${runId}"]`);
    await expect(item).toBeVisible({ timeout: 30000 });
    await expect(status).toBeEmpty();
    await sleep(2000);

    // When the store says its writes cannot reach the server (console).
    let writesOfflineAt: number | null = null;
    page.on('console', message => {
      if (
        writesOfflineAt === null &&
        message.text().includes('Runs cannot be saved')
      ) {
        writesOfflineAt = Date.now();
      }
    });
    const downAt = Date.now();
    await proxy.down();
    const loggedAtDown = loggedPoints(progress);
    await expect(status).toContainText('Offline', { timeout: OFFLINE_SHOWN });
    const offlineShown = secondsSince(downAt);
    await expect(status).toContainText(
      'Runs recorded meanwhile are kept in this browser and saved when the server is back.'
    );
    // The runs last read stay listed.
    await expect(item).toBeVisible();
    await sleep(OUTAGE - (Date.now() - downAt));
    const loggedDown = loggedPoints(progress) - loggedAtDown;
    const dialogs = await dialogTitles(page);
    // Still offline at the end of the outage.
    await expect(status).toContainText('Offline');
    expect(lab.kernelPids(kernel).length, 'the kernel runs on').toBe(1);
    const upAt = Date.now();
    await proxy.up();
    row.notes.push(
      `Offline shown ${offlineShown} s after the cut (${proxy.cut} connections cut); the store's writes offline ${writesOfflineAt === null ? 'never' : `after ${((writesOfflineAt - downAt) / 1000).toFixed(1)} s`}`,
      `${loggedDown} points logged in the ${((upAt - downAt) / 1000).toFixed(0)} s the network was down`
    );
    if (dialogs.length) {
      row.notes.push(`dialogs during the outage: ${dialogs.join(' | ')}`);
    }

    // The page reconnects by itself; the kernel's messages are replayed.
    await expect(status).toBeEmpty({ timeout: 90000 });
    row.notes.push(`sidebar online again ${secondsSince(upAt)} s after`);
    await waitFor(
      () => loggedPoints(progress) === STEPS,
      120000,
      'the cell to log every point'
    );
    row.logged = STEPS;
    const run = await waitFor(
      async () => {
        const found = await readRun(api, notebookPath, runId);
        return found?.status !== 'running' &&
          (found?.metrics.loss?.count ?? 0) >= STEPS
          ? found
          : null;
      },
      90000,
      'every point stored and the run ended'
    ).catch(() => readRun(api, notebookPath, runId));
    await waitForQuietStore(api, notebookPath);
    const stored = (await readRun(api, notebookPath, runId))!.metrics.loss;
    row.stored = stored.count;
    row.lost = STEPS - stored.count;
    row.notes.push(
      `run "${run!.status}" ${secondsSince(upAt)} s after the network was back`
    );
    const scan = scanStore(lab);
    row.files = scan.files;
    row.torn = scan.torn.length;
    if (scan.torn.length) {
      row.notes.push(`torn slots: ${scan.torn.join(', ')}`);
    }

    expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
    expect(scan.torn, 'torn slots').toEqual([]);
    expect(loggedDown, 'points logged while down').toBeGreaterThan(0);
    // Every step once, in order.
    expect(stored.steps).toEqual(
      Array.from({ length: STEPS }, (_, step) => step)
    );
    expect(run!.status).toBe('finished');
    await expect(status).toBeEmpty();
    await expect(item).toBeVisible();
    await expect(item.locator('.jp-RunsPanel-status')).toHaveClass(
      /jp-mod-finished/,
      { timeout: 30000 }
    );
    expect(row.exceptions, 'uncaught page errors').toBe(0);
  } finally {
    await proxy.down();
  }
});

test('server stopped 20 s, restarted', async ({ api, lab, page, row }) => {
  row.checked =
    'sidebar Offline during the stop; what the page had lands, steps from 0 without gaps; run not left running; rename while stopped refused, nothing changed';
  const progress = path.join(lab.root, 'progress.txt');
  const notebookPath = writeNotebook(
    lab,
    'server-stopped.ipynb',
    loggingCell(6000, progress)
  );
  const kernel = await openRecording(page, lab, api, notebookPath);
  const { panel, status } = await showRunsPanel(page);
  await startCell(page);
  await firstPointsStored(api, notebookPath);
  const first = (await runRows(api, notebookPath)).at(-1)!;
  const item = panel.locator(`.jp-RunsPanel-item[data-run-id="${first.id}"]`);
  await expect(item).toBeVisible({ timeout: 30000 });
  await sleep(4000);
  // What the store folder held just before the stop (the page writes a
  // running run every 3 s): the rest waits in the page.
  const storedBeforeStop =
    (await readRun(api, notebookPath, first.id))?.metrics.loss?.count ?? 0;

  // A graceful stop: the server shuts its kernels down and exits.
  const server = lab.pid!;
  const stoppedAt = Date.now();
  process.kill(server, 'SIGTERM');
  await waitFor(
    async () => {
      try {
        process.kill(server, 0);
        return false;
      } catch {
        return !(await fetch(`${lab.base}/api/status`).catch(() => null));
      }
    },
    30000,
    'the server to exit'
  );
  const stopSeconds = secondsSince(stoppedAt);
  await waitFor(
    () => lab.kernelPids(kernel).length === 0,
    15000,
    'the kernel to be shut down with its server'
  ).catch(() => {
    row.notes.push('the kernel outlived its server; the test killed it');
    for (const pid of lab.kernelPids(kernel)) {
      process.kill(pid, 'SIGKILL');
    }
  });
  const logged = loggedPoints(progress);
  row.logged = logged;

  await expect(status).toContainText('Offline', { timeout: OFFLINE_SHOWN });
  const offlineShown = secondsSince(stoppedAt);
  await expect(item).toBeVisible();

  // Renaming the run from the sidebar while the server is away.
  let dismissed = Number(await dismissConnectionErrors(page));
  // The Lab's own "Server Connection Error" dialog may come any time and
  // cover the page: the row is clicked through it.
  await item.dispatchEvent('click');
  await expect(item).toHaveAttribute('aria-selected', 'true');
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute(
      'jupyterlab-runs:rename-run'
    );
  });
  const renameDialog = page
    .locator('.jp-Dialog')
    .filter({ hasText: 'Rename Run' });
  // The Lab shows its dialogs one at a time: the user dismisses its
  // "Server Connection Error" when it comes (and asks not to see it again).
  const waitForDialog = (dialog: Locator, what: string) =>
    waitFor(
      async () => {
        if (await dialog.isVisible()) {
          return true;
        }
        dismissed += Number(await dismissConnectionErrors(page));
        return false;
      },
      30000,
      what
    );
  await waitForDialog(renameDialog, 'the Rename Run dialog');
  await renameDialog.locator('input').fill('renamed-while-stopped');
  const savedAt = Date.now();
  await renameDialog.getByRole('button', { name: 'Save' }).click();
  const errorDialog = page
    .locator('.jp-Dialog')
    .filter({ hasText: 'The run could not be changed' });
  await waitForDialog(errorDialog, 'the error of the rename');
  const renameError = (
    await errorDialog.locator('.jp-Dialog-body').innerText()
  ).trim();
  if (dismissed) {
    row.notes.push('the Lab\'s "Server Connection Error" dialog dismissed');
  }
  row.notes.push(
    `rename while stopped: "${renameError.slice(0, 140)}" ${secondsSince(savedAt)} s after Save`
  );
  await errorDialog.locator('.jp-Dialog-footer button').last().click();
  await expect(errorDialog).toBeHidden();
  expect(renameError).toContain('cannot be reached');
  expect(renameError).toContain('nothing was changed');

  await sleep(OUTAGE - (Date.now() - stoppedAt));
  await expect(status).toContainText('Offline');
  const dialogs = await dialogTitles(page);
  if (dialogs.length) {
    row.notes.push(`dialogs during the outage: ${dialogs.join(' | ')}`);
  }
  const startedAt = Date.now();
  await lab.start();
  row.notes.push(
    `server exited ${stopSeconds} s after SIGTERM; Offline shown ${offlineShown} s after it; started again after ${((startedAt - stoppedAt) / 1000).toFixed(0)} s`
  );

  // The page reconnects on its own; its queue sends what waited.
  await expect(status).toBeEmpty({ timeout: 90000 });
  row.notes.push(`sidebar online again ${secondsSince(startedAt)} s after`);
  const run = await waitFor(
    async () => {
      const found = await readRun(api, notebookPath, first.id).catch(
        () => null
      );
      return found && found.status !== 'running' ? found : null;
    },
    90000,
    'the run to end once the page reconnected'
  ).catch(async () => {
    const rows = await runRows(api, notebookPath).catch(() => []);
    throw new Error(
      `the run is still "${rows.find(r => r.id === first.id)?.status}" 90 s after the restart`
    );
  });
  await waitForQuietStore(api, notebookPath);
  const stored = (await readRun(api, notebookPath, first.id))!.metrics.loss;
  row.stored = stored.count;
  row.lost = logged - stored.count;
  const scan = scanStore(lab);
  row.files = scan.files;
  row.torn = scan.torn.length;
  const ended = (await runRows(api, notebookPath)).find(
    r => r.id === first.id
  ) as any;
  row.notes.push(
    `${storedBeforeStop} points stored just before the stop, ${stored.count - storedBeforeStop} after the restart`,
    `run ended "${run.status}", endedAt ${((ended.endedAt - stoppedAt) / 1000).toFixed(1)} s after SIGTERM`
  );
  if (scan.torn.length) {
    row.notes.push(`torn slots: ${scan.torn.join(', ')}`);
  }

  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(scan.torn, 'torn slots').toEqual([]);
  expect(run.status).not.toBe('running');
  expect(stored.steps).toEqual(
    Array.from({ length: stored.count }, (_, step) => step)
  );
  expect(row.logged, 'points the kernel logged').toBeGreaterThan(0);
  expect(row.lost).toBeGreaterThanOrEqual(0);
  // What the kernel logged in its last moments may not have reached the
  // page before the server stopped; no more than about a second.
  expect(row.lost).toBeLessThanOrEqual(100);

  // The rename changed nothing, then or later.
  const folder = (await notebookFolder(api, notebookPath))!;
  const annotations = await readStoreFile(api, `${folder}/annotations.json.gz`);
  expect(annotations?.runs?.[first.id]?.name).toBeUndefined();
  expect(
    (await runRows(api, notebookPath)).find(r => r.id === first.id)?.name
  ).toBe(first.name);
  await expect(item).toBeVisible();
  await expect(item.locator('.jp-RunsPanel-runName')).toHaveText(first.name);
  expect(row.exceptions, 'uncaught page errors').toBe(0);
});
