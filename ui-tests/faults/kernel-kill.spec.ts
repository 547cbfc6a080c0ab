/**
 * Fault: the kernel process is SIGKILLed mid-cell; the server stays up and
 * restarts it. The run ends `crashed` at about the time of death, and what
 * came before (executions, points) is kept.
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

test('kernel SIGKILLed mid-cell', async ({ api, lab, page, row }) => {
  row.checked =
    'run ends crashed, endedAt near the kill; executions and points before it kept';
  const progress = path.join(lab.root, 'progress.txt');
  const notebookPath = writeNotebook(
    lab,
    'kernel-kill.ipynb',
    "seed = 42\nprint('ready')",
    loggingCell(6000, progress)
  );
  const kernel = await openRecording(page, lab, api, notebookPath);
  // The first cell ends; the second logs until the kernel is killed.
  await startCell(page);
  await startCell(page);
  await firstPointsStored(api, notebookPath);
  await sleep(3000);
  const [pid] = lab.kernelPids(kernel);
  expect(pid, 'the ipykernel process of the notebook').toBeTruthy();
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  // The restarted kernel keeps the kernel id (and so its connection file).
  await waitFor(
    () => !lab.kernelPids(kernel).includes(pid),
    10000,
    'the killed kernel to be gone'
  );
  row.logged = loggedPoints(progress);

  const ended = await waitFor(
    async () => {
      const found = (await runRows(api, notebookPath)).at(-1) as any;
      return found && found.status !== 'running' ? found : null;
    },
    60000,
    'the run to end'
  );
  await sleep(3000);
  const run = (await readRun(api, notebookPath))!;
  const stored = run.metrics.loss;
  row.stored = stored?.count ?? 0;
  row.lost = row.logged - row.stored;
  const scan = scanStore(lab);
  row.files = scan.files;
  row.torn = scan.torn.length;
  const late = (ended.endedAt - killedAt) / 1000;
  row.notes.push(
    `run ended "${ended.status}", endedAt ${late.toFixed(1)} s after the kill; ` +
      `${run.executions.length} executions stored (${run.executions.map(e => e.outcome).join(', ')})`
  );

  expect(ended.status).toBe('crashed');
  expect(Math.abs(late)).toBeLessThan(10);
  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(run.sources[0]).toContain('seed = 42');
  expect(run.executions[0].outcome).toBe('ok');
  expect(stored.steps).toEqual(
    Array.from({ length: stored.count }, (_, step) => step)
  );
  expect(row.logged, 'points the kernel logged').toBeGreaterThan(0);
  expect(row.lost).toBeGreaterThanOrEqual(0);
  expect(row.lost).toBeLessThanOrEqual(100);
});
