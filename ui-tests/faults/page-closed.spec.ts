/**
 * Fault: the only page on a notebook is closed for 30 s while its run logs
 * points, then the Lab is loaded again in a new page. Every point is kept.
 */
import * as path from 'path';
import { readRun } from '../tests/store-files';
import { sleep, waitFor } from './lab';
import {
  expect,
  firstPointsStored,
  loggedPoints,
  loggingCell,
  openNotebook,
  openRecording,
  scanStore,
  startCell,
  test,
  writeNotebook
} from './fixtures';

test.describe.configure({ timeout: 240000 });

const STEPS = 4000;

test('page closed 30 s mid-run, reloaded', async ({
  api,
  context,
  lab,
  page,
  row
}) => {
  row.checked = '100% of the points logged while no page was open stored';
  const progress = path.join(lab.root, 'progress.txt');
  const notebookPath = writeNotebook(
    lab,
    'page-closed.ipynb',
    loggingCell(STEPS, progress)
  );
  await openRecording(page, lab, api, notebookPath);
  await startCell(page);
  await firstPointsStored(api, notebookPath);
  await page.close();
  const closedAt = Date.now();
  const loggedAtClose = loggedPoints(progress);
  await sleep(30000);
  const loggedClosed = loggedPoints(progress) - loggedAtClose;
  const reopened = await context.newPage();
  await openNotebook(reopened, lab, notebookPath);
  row.notes.push(
    `${loggedClosed} points logged in the ${((Date.now() - closedAt) / 1000).toFixed(0)} s no page was open`
  );

  // The cell goes on to its end; the new page gets what the kernel kept.
  await waitFor(
    () => loggedPoints(progress) === STEPS,
    120000,
    'the cell to log every point'
  );
  row.logged = STEPS;
  const run = await waitFor(
    async () => {
      const found = await readRun(api, notebookPath);
      return (found?.metrics.loss?.count ?? 0) >= STEPS ? found : null;
    },
    60000,
    'every point stored'
  ).catch(() => readRun(api, notebookPath));
  const stored = run!.metrics.loss;
  row.stored = stored.count;
  row.lost = STEPS - stored.count;
  const scan = scanStore(lab);
  row.files = scan.files;
  row.torn = scan.torn.length;
  // The run goes on after the cell (docs/CAPTURE.md): the kernel lives.
  row.notes.push(`run "${run!.status}"`);

  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(stored.steps).toEqual(
    Array.from({ length: STEPS }, (_, step) => step)
  );
  expect(run!.status).toBe('running');
});
