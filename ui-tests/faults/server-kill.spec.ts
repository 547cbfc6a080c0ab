/**
 * Fault: the Jupyter server is SIGKILLed while a run logs ~100 points a
 * second, then restarted on the same port and root. Its kernel dies with it.
 */
import * as path from 'path';
import { readRun, runRows } from '../tests/store-files';
import { sleep, waitFor } from './lab';
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

test.describe.configure({ timeout: 240000 });

test('server SIGKILLed mid-run, restarted', async ({ api, lab, page, row }) => {
  row.checked =
    'no store file torn/unreadable; run not left running; points stored vs logged';
  // The kernel writes how far it got to a file, so what it logged is known
  // after it died.
  const progress = path.join(lab.root, 'progress.txt');
  const notebookPath = writeNotebook(
    lab,
    'server-kill.ipynb',
    loggingCell(6000, progress)
  );
  const kernel = await openRecording(page, lab, api, notebookPath);
  await startCell(page);
  // Kill once points have been logged for a few seconds (some stored).
  await firstPointsStored(api, notebookPath);
  await sleep(3000);
  const killedAt = Date.now();
  await lab.kill();
  // The kernel notices its parent is gone (ipykernel polls every second).
  const survived = await waitFor(
    () => lab.kernelPids(kernel).length === 0,
    10000,
    'the kernel to exit with its server'
  ).catch(() => false);
  if (!survived) {
    row.notes.push('the kernel outlived its server; the test killed it');
    for (const pid of lab.kernelPids(kernel)) {
      process.kill(pid, 'SIGKILL');
    }
  }
  const logged = loggedPoints(progress);
  row.logged = logged;
  await sleep(3000 - (Date.now() - killedAt));
  await lab.start();

  // The page reconnects on its own; its queue sends what it could not.
  const run = await waitFor(
    async () => {
      const found = await readRun(api, notebookPath).catch(() => null);
      return found && found.status !== 'running' ? found : null;
    },
    90000,
    'the run to end once the page reconnected'
  ).catch(async () => {
    const rows = await runRows(api, notebookPath).catch(() => []);
    throw new Error(
      `the run is still "${rows.at(-1)?.status}" 90 s after the restart`
    );
  });
  // Let the page finish what it writes, then read every store file.
  await sleep(4000);
  const stored = (await readRun(api, notebookPath))!.metrics.loss;
  row.stored = stored.count;
  row.lost = logged - stored.count;
  const scan = scanStore(lab);
  row.files = scan.files;
  row.torn = scan.torn.length;
  const ended = (await runRows(api, notebookPath)).at(-1) as any;
  row.notes.push(
    `run ended "${run.status}", endedAt ${((ended.endedAt - killedAt) / 1000).toFixed(1)} s after the kill`
  );
  if (scan.torn.length) {
    row.notes.push(`torn slots: ${scan.torn.join(', ')}`);
  }

  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(run.status).toBe('crashed');
  expect(stored.steps).toEqual(
    Array.from({ length: stored.count }, (_, step) => step)
  );
  // At most the last second's worth is lost.
  expect(row.logged, 'points the kernel logged').toBeGreaterThan(0);
  expect(row.lost).toBeGreaterThanOrEqual(0);
  expect(row.lost).toBeLessThanOrEqual(100);
});
