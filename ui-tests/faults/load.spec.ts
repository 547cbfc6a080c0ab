/**
 * Fault: load. A loop logging 1,000,000 metric points in one run, and a
 * notebook with 10,000 recorded runs. The kernel pays no more than the
 * benchmarked per-call cost, the browser stays responsive (longest
 * main-thread task, lag of a 100 ms heartbeat, a command answered while the
 * store writes), and the run is complete (every point, steps in order).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from '@playwright/test';
import { storedSessions } from '../tests/store-files';
import type { FaultLab } from './lab';
import { waitFor } from './lab';
import { expect, scanStore, test, writeNotebook } from './fixtures';
import {
  exposeStore,
  listedRuns,
  openNotebook,
  rawBlocks,
  readStoredRun,
  runCell,
  storeBytes
} from './stored';

test.describe.configure({ timeout: 240000 });

const MILLION = 1_000_000;
const PANEL = '#jupyterlab-runs-panel';

/**
 * Cells timing a loop of `n` iterations in the kernel, without (cell 0)
 * and with (cell 1) `runs.log_metric`, each writing to `<figures>.<name>`,
 * once done, its wall-clock seconds, the CPU seconds of the thread running
 * the loop, and those of the whole kernel process (with the helper's thread
 * sending the points to the browser).
 */
function timedCells(n: number, figures: string): string[] {
  const timed = (name: string, body: string) =>
    [
      'import json, time',
      'import jupyterlab_runs as runs',
      't0 = (time.perf_counter(), time.thread_time(), time.process_time())',
      `for i in range(${n}):`,
      `    ${body}`,
      't1 = (time.perf_counter(), time.thread_time(), time.process_time())',
      'import os',
      `with open(${JSON.stringify(`${figures}.${name}.new`)}, 'w') as f:`,
      "    json.dump(dict(zip(('wall', 'thread', 'process'), (b - a for a, b in zip(t0, t1)))), f)",
      // Replaced whole, so the spec never reads it half written.
      `os.replace(${JSON.stringify(`${figures}.${name}.new`)}, ${JSON.stringify(`${figures}.${name}`)})`
    ].join('\n');
  return [
    timed('bare', '1.0 / (i + 1)'),
    timed('logged', "runs.log_metric('loss', 1.0 / (i + 1), step=i)")
  ];
}

type Timing = { wall: number; thread: number; process: number };

/** What a timed cell wrote, once it ended. */
async function seconds(file: string): Promise<Timing> {
  await waitFor(() => fs.existsSync(file), 180000, `${file}`);
  return JSON.parse(fs.readFileSync(file, 'utf-8')) as Timing;
}

/**
 * Watch the page's main thread from now on: the longest task (Long Tasks
 * API) and the worst lateness of a 100 ms heartbeat.
 */
async function watchMainThread(page: Page): Promise<void> {
  await page.evaluate(() => {
    const watch = ((window as any).faultWatch = {
      longest: 0,
      tasks: 0,
      lag: 0
    });
    new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        watch.tasks += 1;
        watch.longest = Math.max(watch.longest, entry.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      watch.lag = Math.max(watch.lag, now - last - 100);
      last = now;
    }, 100);
  });
}

async function mainThread(
  page: Page
): Promise<{ longest: number; tasks: number; lag: number; heapMB: number }> {
  return page.evaluate(() => ({
    ...(window as any).faultWatch,
    heapMB: ((performance as any).memory?.usedJSHeapSize ?? 0) / 2 ** 20
  }));
}

/**
 * Show the Runs panel by its command and time until it lists rows; the
 * number of runs it lists (its grid's row count).
 */
async function showRuns(page: Page): Promise<{ ms: number; listed: number }> {
  const started = Date.now();
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('jupyterlab-runs:show-panel')
  );
  await page
    .locator(`${PANEL} .jp-RunsPanel-item`)
    .first()
    .waitFor({ timeout: 60000 });
  const ms = Date.now() - started;
  const count = await page
    .locator(`${PANEL} [role="grid"]`)
    .getAttribute('aria-rowcount');
  return { ms, listed: Number(count) - 1 };
}

/** Every point of `runId`'s series in the packs on disk. */
const pointsOnDisk = (lab: FaultLab, runId: string, name: string) =>
  rawBlocks(lab, runId).blocks.reduce(
    (sum, block) => sum + (block.points[name] ?? 0),
    0
  );

test('a million points in one run', async ({ api, lab, page, row }) => {
  row.checked =
    'log_metric µs/call vs bare loop; longest task and heartbeat lag; all 1,000,000 points stored in order';
  const figures = path.join(lab.root, 'seconds');
  const notebookPath = writeNotebook(
    lab,
    'million.ipynb',
    ...timedCells(MILLION, figures)
  );
  await openNotebook(page, lab, notebookPath);
  await expect
    .poll(() => storedSessions(api, notebookPath), { timeout: 60000 })
    .toBe(1);
  await exposeStore(page);
  await runCell(page, 0);
  const bare = await seconds(`${figures}.bare`);
  await watchMainThread(page);
  const started = Date.now();
  await runCell(page, 1);
  const logged = await seconds(`${figures}.logged`);
  row.logged = MILLION;
  // The page answers while the store writes.
  const panel = await showRuns(page);
  const { ids } = await listedRuns(page, notebookPath);
  const runId = ids[0];
  await waitFor(
    () => pointsOnDisk(lab, runId, 'loss') >= MILLION,
    180000,
    'every point on disk'
  ).catch(() => undefined);
  const storedAfter = (Date.now() - started) / 1000;
  const thread = await mainThread(page);
  const run = (await readStoredRun(page, notebookPath, runId))!;
  const onDisk = pointsOnDisk(lab, runId, 'loss');
  const scan = scanStore(lab);
  const loss = run.metrics.loss;
  row.stored = loss?.points ?? 0;
  row.lost = MILLION - row.stored;
  row.files = scan.files;
  row.torn = scan.torn.length;
  const perCall = (key: keyof Timing) =>
    ((logged[key] - bare[key]) / MILLION) * 1e6;
  row.notes.push(
    `log_metric ${perCall('wall').toFixed(2)} µs/call wall-clock (loop ${logged.wall.toFixed(2)} s vs bare ${bare.wall.toFixed(2)} s), ` +
      `${perCall('thread').toFixed(2)} µs CPU of the loop's thread, ` +
      `${perCall('process').toFixed(2)} µs CPU of the kernel process (with sending the points); ` +
      `longest task ${thread.longest.toFixed(0)} ms (${thread.tasks} tasks ≥ 50 ms); ` +
      `heartbeat lag ≤ ${thread.lag.toFixed(0)} ms; Runs panel shown in ${panel.ms} ms meanwhile; ` +
      `all stored ${storedAfter.toFixed(1)} s after the cell started; ` +
      `store ${(storeBytes(lab) / 2 ** 20).toFixed(1)} MiB in ${scan.files} files; page heap ${thread.heapMB.toFixed(0)} MiB`
  );

  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(run.problems).toEqual([]);
  expect(onDisk, 'points on disk').toBe(MILLION);
  expect(loss).toEqual({
    count: MILLION,
    points: MILLION,
    contiguous: true,
    firstBadStep: null,
    duplicates: 0
  });
  // Loose: the machine's other load shows in a loop this long.
  // The loop pays the call (bench/log_metric.py: ≤ 10 µs, ~0.9 here); the
  // helper's thread sending the points shares the cores with it.
  expect(perCall('thread'), 'CPU µs per log_metric call').toBeLessThan(10);
  expect(perCall('wall'), 'µs per log_metric call').toBeLessThan(20);
  expect(thread.longest, 'longest main-thread task, ms').toBeLessThan(2000);
  expect(thread.lag, 'heartbeat lag, ms').toBeLessThan(2000);
});

const RUNS = 10_000;
const CELL_POINTS = 200_000;

test('ten thousand recorded runs', async ({ api, lab, page, row }) => {
  row.checked =
    'all 10,000 runs listed; a new run 10,001 listed and stored whole; its kernel time vs an empty notebook';
  const { writeRuns } = await import('../../bench/synthetic-runs.mjs');
  const figures = path.join(lab.root, 'seconds');
  const [, logging] = timedCells(CELL_POINTS, figures);
  const history = writeNotebook(lab, 'history.ipynb', logging);
  const empty = writeNotebook(
    lab,
    'empty.ipynb',
    logging.split(`${figures}.logged`).join(`${figures}.empty`)
  );
  // The runs are written by a page that has no notebook open.
  const writer = await page.context().newPage();
  await writer.goto(`${lab.base}/lab/workspaces/writer`);
  await writer.waitForFunction(() => !!(window as any).jupyterapp, null, {
    timeout: 60000
  });
  await writer.evaluate(() => (window as any).jupyterapp.restored);
  await exposeStore(writer);
  await writer.evaluate(() => {
    (window as any).benchStore = (window as any).faultStore;
  });
  const writing = Date.now();
  await writeRuns(writer, { notebookPath: history, runs: RUNS, points: 10 });
  const wroteIn = (Date.now() - writing) / 1000;
  await writer.close();

  // The notebook with 10,000 runs, then its Runs panel.
  await openNotebook(page, lab, history);
  await watchMainThread(page);

  const panel = await showRuns(page);
  expect(panel.listed, 'runs listed').toBe(RUNS);
  await expect
    .poll(() => storedSessions(api, history), { timeout: 60000 })
    .toBeGreaterThan(RUNS / 100);
  await exposeStore(page);
  await runCell(page, 0);
  const kernelTime = (await seconds(`${figures}.logged`)).wall;
  row.logged = CELL_POINTS;
  await expect
    .poll(
      async () =>
        Number(
          await page
            .locator(`${PANEL} [role="grid"]`)
            .getAttribute('aria-rowcount')
        ) - 1,
      { timeout: 60000 }
    )
    .toBe(RUNS + 1);
  const { ids, problems } = await listedRuns(page, history);
  const newest = ids[0];
  await waitFor(
    () => pointsOnDisk(lab, newest, 'loss') >= CELL_POINTS,
    120000,
    'every point of the new run on disk'
  ).catch(() => undefined);
  const thread = await mainThread(page);
  const run = (await readStoredRun(page, history, newest))!;

  // The same cell in a notebook with no runs.
  await openNotebook(page, lab, empty, 'empty');
  await expect
    .poll(() => storedSessions(api, empty), { timeout: 60000 })
    .toBe(1);
  await runCell(page, 0);
  const emptyTime = (await seconds(`${figures}.empty`)).wall;

  const scan = scanStore(lab);
  row.stored = run.metrics.loss?.points ?? 0;
  row.lost = CELL_POINTS - row.stored;
  row.files = scan.files;
  row.torn = scan.torn.length;
  row.notes.push(
    `10,000 runs written in ${wroteIn.toFixed(0)} s; Runs panel listed ${panel.listed} in ${panel.ms} ms; ` +
      `then ${ids.length} listed; the cell's ${CELL_POINTS} log_metric calls took ${kernelTime.toFixed(2)} s ` +
      `(${emptyTime.toFixed(2)} s in an empty notebook); longest task ${thread.longest.toFixed(0)} ms ` +
      `(${thread.tasks} tasks ≥ 50 ms), heartbeat lag ≤ ${thread.lag.toFixed(0)} ms; ` +
      `store ${(storeBytes(lab) / 2 ** 20).toFixed(1)} MiB in ${scan.files} files`
  );

  expect(problems).toEqual([]);
  expect(ids).toHaveLength(RUNS + 1);
  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(run.problems).toEqual([]);
  expect(run.metrics.loss).toEqual({
    count: CELL_POINTS,
    points: CELL_POINTS,
    contiguous: true,
    firstBadStep: null,
    duplicates: 0
  });
  expect(kernelTime, 'kernel time vs an empty notebook').toBeLessThan(
    3 * emptyTime + 1
  );
  expect(thread.longest, 'longest main-thread task, ms').toBeLessThan(2000);
  expect(thread.lag, 'heartbeat lag, ms').toBeLessThan(2000);
});
