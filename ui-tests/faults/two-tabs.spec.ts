/**
 * Fault: two pages on the same notebook (one kernel), both executing cells
 * that log metrics, in turn and queued behind each other, the second page
 * opened while the first one's cell logs. First as two tabs of one browser
 * (one IndexedDB), then as two browsers (two contexts: nothing shared but
 * the server). One run, every execution once in order, every point once.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { APIRequestContext, BrowserContext, Page } from '@playwright/test';
import { storedSessions, waitForQuietStore } from '../tests/store-files';
import type { FaultLab } from './lab';
import { waitFor } from './lab';
import type { FaultRow } from './fixtures';
import { expect, scanStore, test, writeNotebook } from './fixtures';
import {
  exposeStore,
  listedRuns,
  openNotebook,
  rawBlocks,
  readStoredRun,
  runCell
} from './stored';

test.describe.configure({ timeout: 240000 });

/** Points each cell logs, and how many times each page runs its cell. */
const POINTS = 300;
const ROUNDS = 4;
/** Points of page 1's first cell, which logs while page 2 opens. */
const FIRST = 2500;

/**
 * Cell 0 defines `log(name, n)`: `n` more points of metric `name`, their
 * steps going on from the last one, about 250 a second; then it appends a
 * line to `progress` (read by the test to know the cell ended).
 */
function cells(progress: string): string[] {
  return [
    [
      'import time',
      'import jupyterlab_runs as runs',
      'logged = {}',
      'def log(name, n):',
      '    first = logged.get(name, 0)',
      '    for step in range(first, first + n):',
      '        runs.log_metric(name, step, step=step)',
      '        logged[name] = step + 1',
      '        time.sleep(0.004)',
      `    with open(${JSON.stringify(progress)}, 'a') as f:`,
      "        f.write(f'{name} {logged[name]}\\n')"
    ].join('\n'),
    `log('a', ${POINTS})`,
    `log('b', ${POINTS})`,
    `log('a', ${FIRST})`
  ];
}

const ended = (progress: string) =>
  fs.existsSync(progress)
    ? fs.readFileSync(progress, 'utf-8').split('\n').filter(Boolean).length
    : 0;

/**
 * Page 1 runs the setup and its first `a`; page 2 opens meanwhile; then
 * `a` (page 1) and `b` (page 2) take turns: in even rounds each waits for
 * the other, in odd rounds both are started at once (the kernel queues).
 * Checks the store and fills the row.
 */
async function twoWriters(
  lab: FaultLab,
  first: Page,
  second: Page,
  api: APIRequestContext,
  row: FaultRow
): Promise<void> {
  const progress = path.join(lab.root, 'progress.txt');
  const notebookPath = writeNotebook(lab, 'two-tabs.ipynb', ...cells(progress));
  await openNotebook(first, lab, notebookPath);
  await expect
    .poll(() => storedSessions(api, notebookPath), { timeout: 60000 })
    .toBe(1);
  await runCell(first, 0);
  await runCell(first, 3);
  // The second page greets the kernel while the first one's cell logs, in
  // a workspace of its own (a second tab on the same workspace would be
  // sent to a new one).
  await openNotebook(second, lab, notebookPath, 'second');
  await second
    .locator('.jp-RunsIndicator-run')
    .first()
    .waitFor({ timeout: 60000 });
  let done = 1;
  await waitFor(() => ended(progress) >= done, 60000, 'the first cell');
  for (let round = 0; round < ROUNDS; round++) {
    const overlap = round % 2 === 1;
    if (round > 0) {
      await runCell(first, 1);
      done += 1;
      if (!overlap) {
        await waitFor(
          () => ended(progress) >= done,
          60000,
          `a, round ${round}`
        );
      }
    }
    await runCell(second, 2);
    done += 1;
    await waitFor(() => ended(progress) >= done, 60000, `b, round ${round}`);
  }

  const totals: Record<string, number> = {
    a: FIRST + (ROUNDS - 1) * POINTS,
    b: ROUNDS * POINTS
  };
  row.logged = totals.a + totals.b;
  await exposeStore(first);
  const stored = async () => {
    const { ids } = await listedRuns(first, notebookPath);
    if (ids.length === 0) {
      return null;
    }
    const run = await readStoredRun(first, notebookPath, ids[0]);
    return run &&
      (run.metrics.a?.count ?? 0) >= totals.a &&
      (run.metrics.b?.count ?? 0) >= totals.b &&
      run.execs.length >= 1 + 2 * ROUNDS
      ? run
      : null;
  };
  await waitFor(stored, 60000, 'every point stored').catch(() => null);
  await waitForQuietStore(api, notebookPath);
  const { ids, problems } = await listedRuns(first, notebookPath);
  const run = (await readStoredRun(first, notebookPath, ids[0]))!;
  const { blocks, sessions } = rawBlocks(lab, run.id);
  const scan = scanStore(lab);
  const rawPoints = (name: string) =>
    blocks.reduce((sum, block) => sum + (block.points[name] ?? 0), 0);
  const rawExecs = blocks.flatMap(block => block.executions);
  const seqs = blocks.map(block => block.seq);
  row.stored = (run.metrics.a?.points ?? 0) + (run.metrics.b?.points ?? 0);
  row.lost = row.logged - row.stored;
  row.files = scan.files;
  row.torn = scan.torn.length;
  const duplicated =
    rawPoints('a') +
    rawPoints('b') -
    row.stored +
    rawExecs.length -
    new Set(rawExecs).size;
  row.notes.push(
    `${ids.length} run(s); ${run.execs.length} executions (exec ${run.execs.join(',')}); ` +
      `blocks in ${blocks.length} packs (seq ${seqs.join(', ')}); ` +
      `points on disk a ${rawPoints('a')}, b ${rawPoints('b')} of ${totals.a} and ${totals.b}; ` +
      `${duplicated} duplicates`
  );
  if (problems.length + run.problems.length > 0) {
    row.notes.push(`problems: ${[...problems, ...run.problems].join(' | ')}`);
  }

  const expectedExecs = Array.from({ length: 1 + 2 * ROUNDS }, (_, i) => i + 1);
  expect(ids, 'runs listed').toHaveLength(1);
  expect([...problems, ...run.problems]).toEqual([]);
  expect(scan.unreadable, 'store files with no readable slot').toEqual([]);
  expect(scan.torn).toEqual([]);
  expect(run.execs, 'each execution once, in order').toEqual(expectedExecs);
  expect(run.counts, 'execution counts in order').toEqual(expectedExecs);
  expect(
    [...rawExecs].sort((x, y) => x - y),
    'executions on disk'
  ).toEqual(expectedExecs);
  for (const name of ['a', 'b']) {
    expect(run.metrics[name], `metric ${name}`).toEqual({
      count: totals[name],
      points: totals[name],
      contiguous: true,
      firstBadStep: null,
      duplicates: 0
    });
    expect(rawPoints(name), `points of ${name} on disk`).toBe(totals[name]);
  }
  expect(new Set(seqs).size, 'one block per seq').toBe(seqs.length);
  const session = sessions.find(item => item.id === run.session);
  expect(session?.seq, "the session's stored seq").toBe(Math.max(...seqs));
}

test('two tabs of one browser on one notebook', async ({
  api,
  context,
  lab,
  page,
  row
}) => {
  row.checked =
    'one run; each execution once, in order; every point of a and b once';
  const second = await context.newPage();
  await twoWriters(lab, page, second, api, row);
});

test('two browsers on one notebook', async ({
  api,
  browser,
  lab,
  page,
  row
}) => {
  row.checked =
    'two contexts (no shared IndexedDB or lock): one run; each execution and point once';
  const other: BrowserContext = await browser.newContext();
  other.on('weberror', webError => {
    row.exceptions += 1;
    row.notes.push(`page error: ${String(webError.error()).slice(0, 200)}`);
  });
  try {
    await twoWriters(lab, page, await other.newPage(), api, row);
  } finally {
    await other.close();
  }
});
