/**
 * Fault: two pages (two browsers) write one notebook's run list; one of
 * them is cut off from the server (a TCP proxy drops its connections)
 * while it records a run, the other records runs in a real kernel
 * meanwhile, then the first reconnects and writes. Every run recorded by
 * either page stays listed: none is replaced by the other page's index.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Page } from '@playwright/test';
import { runRows, STORE, waitForQuietStore } from '../tests/store-files';
import type { FaultLab } from './lab';
import { PORT, sleep, waitFor } from './lab';
import {
  expect,
  openNotebook,
  openRecording,
  scanStore,
  test,
  writeNotebook
} from './fixtures';
import { TcpProxy } from './proxy';
import { exposeStore, listedRuns, runCell } from './stored';

test.describe.configure({ timeout: 300000 });

const PROXY_PORT = Number(process.env.RUNS_FAULTS_PROXY_PORT || PORT + 1);

/** The ids of the runs every whole pack slot on disk holds blocks of. */
function packedRuns(lab: FaultLab): Set<string> {
  const runs = new Set<string>();
  const notebooks = path.join(lab.root, STORE, 'notebooks');
  for (const key of fs.existsSync(notebooks) ? fs.readdirSync(notebooks) : []) {
    const packs = path.join(notebooks, key, 'packs');
    for (const name of fs.existsSync(packs) ? fs.readdirSync(packs) : []) {
      const bytes = fs.readFileSync(path.join(packs, name));
      if (bytes.length === 0) {
        continue;
      }
      try {
        const pack = JSON.parse(zlib.gunzipSync(bytes).toString('utf-8'));
        for (const block of pack.runs ?? []) {
          runs.add(block.run);
        }
      } catch {
        // A torn slot: scanStore counts those.
      }
    }
  }
  return runs;
}

/**
 * Record a run in the page's store as a kernel of its own would send it
 * (the page cannot reach a kernel while it is cut off): its session, the
 * run's start and end.
 */
async function recordRun(
  page: Page,
  notebookPath: string,
  session: string,
  run: string,
  firstSeq: number
): Promise<void> {
  await page.evaluate(
    ({ notebookPath, session, run, firstSeq }) => {
      const time = Date.now() / 1000;
      (window as any).faultStore.addEvents(notebookPath, [
        { seq: firstSeq, time, kind: 'session', session, env: null },
        {
          seq: firstSeq + 1,
          time,
          kind: 'run_start',
          session,
          run,
          name: run,
          reason: 'user',
          params: [],
          inherited: []
        },
        { seq: firstSeq + 2, time, kind: 'run_end', run, status: 'finished' }
      ]);
    },
    { notebookPath, session, run, firstSeq }
  );
}

test('two pages, cut network', async ({ api, browser, lab, page, row }) => {
  row.checked =
    'page B cut off records a run, page A records runs in its kernel meanwhile, B reconnects and writes: every run of both pages listed, every packed run in the index';
  const proxy = new TcpProxy(PROXY_PORT, lab.port);
  await proxy.up();
  const other = await browser.newContext();
  other.on('weberror', webError => {
    row.exceptions += 1;
    row.notes.push(`page error: ${String(webError.error()).slice(0, 200)}`);
  });
  try {
    const notebookPath = writeNotebook(
      lab,
      'shared.ipynb',
      [
        'import jupyterlab_runs as runs',
        'for name in ("a-1", "a-2"):',
        '    runs.start_run(name)',
        "    runs.log_metric('score', 1.0)",
        '    runs.end_run()'
      ].join('\n')
    );
    // Page B, through the proxy, on the Lab without the notebook open.
    const pageB = await other.newPage();
    await openNotebook(pageB, proxy.base, '');
    await exposeStore(pageB);
    await recordRun(pageB, notebookPath, 'page-b-session', 'b-1', 1);
    await pageB.evaluate(() => (window as any).faultStore.flush());

    // B is cut off and records another run: its index write waits.
    await proxy.down();
    await recordRun(pageB, notebookPath, 'page-b-session', 'b-2', 4);
    await sleep(3000);

    // Page A records two runs in its kernel meanwhile.
    await openRecording(page, lab, api, notebookPath);
    await runCell(page, 0);
    await waitFor(
      async () =>
        (await runRows(api, notebookPath)).filter(r => r.name.startsWith('a-'))
          .length >= 2,
      60000,
      "page A's runs in the index"
    );

    // B comes back and writes.
    await proxy.up();
    await pageB.evaluate(() => {
      (window as any).faultStore.retryNow();
      return (window as any).faultStore.flush();
    });
    await waitForQuietStore(api, notebookPath);

    const rows = await runRows(api, notebookPath);
    const indexed = new Set(rows.map(r => r.id));
    const names = rows.map(r => r.name).sort();
    // Every run a pack holds is in the index.
    const packed = packedRuns(lab);
    const missing = [...packed].filter(id => !indexed.has(id));
    await exposeStore(page);
    const listedA = await listedRuns(page, notebookPath);
    const listedB = await listedRuns(pageB, notebookPath);
    const scan = scanStore(lab);
    const recorded = 4;
    row.logged = recorded;
    row.stored = rows.length;
    row.lost =
      recorded -
      rows.filter(r => ['a-1', 'a-2', 'b-1', 'b-2'].includes(r.name)).length;
    row.files = scan.files;
    row.torn = scan.torn.length;
    row.notes.push(
      `runs recorded: a-1, a-2 (page A, kernel), b-1, b-2 (page B, b-2 while cut off); in the index: ${names.join(', ')}; ` +
        `packed runs missing from the index: ${missing.length}; listed by A ${listedA.ids.length}, by B ${listedB.ids.length}; ${proxy.cut} connections cut`
    );
    expect(names).toEqual(['a-1', 'a-2', 'b-1', 'b-2']);
    expect(missing, 'packed runs the index lacks').toEqual([]);
    expect(listedA.ids).toHaveLength(4);
    expect(listedB.ids).toHaveLength(4);
    expect(scan.torn).toEqual([]);
  } finally {
    await other.close();
    await proxy.down();
  }
});
