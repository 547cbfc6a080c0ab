/**
 * Fault: a project's server goes away with writes still waiting in the
 * browser (the network cut while a cell logs, then the server stopped), and
 * another project is served at the same address: the page, reloaded there,
 * must write none of the first project's runs into the second one's store,
 * keep them in the browser, and say which store they belong to.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Page } from '@playwright/test';
import { STORE } from '../tests/store-files';
import { FaultLab, PORT, sleep, waitFor } from './lab';
import {
  expect,
  firstPointsStored,
  loggingCell,
  openNotebook,
  openRecording,
  startCell,
  test,
  toastTexts,
  writeNotebook
} from './fixtures';
import { TcpProxy } from './proxy';

test.describe.configure({ timeout: 300000 });

const PROXY_PORT = Number(process.env.RUNS_FAULTS_PROXY_PORT || PORT + 1);

/** How many writes wait in the page's IndexedDB log. */
function pendingInBrowser(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const opening = indexedDB.open('jupyterlab-runs');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const db = opening.result;
          if (!db.objectStoreNames.contains('pending')) {
            db.close();
            resolve(0);
            return;
          }
          const counting = db
            .transaction('pending', 'readonly')
            .objectStore('pending')
            .count();
          counting.onsuccess = () => {
            db.close();
            resolve(counting.result);
          };
          counting.onerror = () => reject(counting.error);
        };
      })
  );
}

/**
 * The files of a server's store folder whose text (decompressed) names
 * `marker`: what a write of another project would leave.
 */
function filesNaming(root: string, marker: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    if (!fs.existsSync(folder)) {
      return;
    }
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(file);
        continue;
      }
      let bytes = fs.readFileSync(file);
      if (file.endsWith('.gz') && bytes.length > 0) {
        try {
          bytes = zlib.gunzipSync(bytes);
        } catch {
          // A torn slot: read as it is.
        }
      }
      if (bytes.toString('utf-8').includes(marker)) {
        found.push(path.relative(root, file));
      }
    }
  };
  walk(path.join(root, STORE));
  return found;
}

test('wrong-server replay', async ({ api, lab, page, row }) => {
  row.checked =
    "project A's server stopped with writes pending in the browser, project B served on the same port, page reloaded there: 0 of A's writes in B's store, all kept in the browser, the user told";
  const proxy = new TcpProxy(PROXY_PORT, lab.port);
  await proxy.up();
  let other: FaultLab | null = null;
  try {
    const progress = path.join(lab.root, 'progress.txt');
    const notebookA = writeNotebook(
      lab,
      'project-a.ipynb',
      loggingCell(3000, progress)
    );
    await openRecording(page, proxy.base, api, notebookA);
    await startCell(page);
    await firstPointsStored(api, notebookA);

    // The network goes; the page keeps what the kernel sends until then.
    await proxy.down();
    await waitFor(
      async () => (await pendingInBrowser(page)) > 0,
      30000,
      'writes waiting in IndexedDB'
    );
    await lab.stop();
    await sleep(2000);
    const pending = await pendingInBrowser(page);

    // Another project, another root, the same address.
    other = new FaultLab(`${path.basename(lab.work)}-project-b`, lab.port);
    await other.start();
    const notebookB = writeNotebook(other, 'project-b.ipynb', 'x = 1');
    await proxy.up();
    await openNotebook(page, proxy.base, notebookB);
    // Its own store, recorded by the reloaded page.
    await waitFor(
      () => fs.existsSync(path.join(other!.root, STORE, 'store.json')),
      60000,
      "project B's store"
    );
    const told = await waitFor(
      async () =>
        (await toastTexts(page)).find(text =>
          /belongs? to the store/.test(text)
        ),
      30000,
      'the notification of the writes kept'
    );
    // Give a replay the time it would take.
    await sleep(10000);

    const foreign = [
      ...filesNaming(other.root, 'project-a.ipynb'),
      ...filesNaming(other.root, 'loss')
    ];
    const kept = await pendingInBrowser(page);
    row.logged = pending;
    row.stored = foreign.length;
    row.lost = Math.max(0, pending - kept);
    row.notes.push(
      `${pending} writes of project A waiting in IndexedDB; after the reload on project B: ${foreign.length} of them in B's store, ${kept} still kept; told: "${told.slice(0, 160)}"`
    );
    expect(pending, 'writes left pending by project A').toBeGreaterThan(0);
    expect(foreign, "project A's files in project B's store").toEqual([]);
    // Kept, none dropped (the page may still have queued a planned write
    // after the count above: writes wait up to 3 s).
    expect(kept, 'the writes kept in the browser').toBeGreaterThanOrEqual(
      pending
    );
  } finally {
    await proxy.down();
    await other?.stop();
  }
});
