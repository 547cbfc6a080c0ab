import { ContentsManager, ServerConnection } from '@jupyterlab/services';

import type { StoreFormat } from '../store/format';
import { notebookKey } from '../store/paths';
import type { RunStore } from '../store/store';
import type { IRunsSettings } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const NOTEBOOK = 'analysis/train.ipynb';

/**
 * Two pages (two browsers) recording one notebook into one server, each
 * with its own network: one can be cut off while the other goes on.
 */
describe('RunStore', () => {
  let server: FakeJupyterServer;
  let settings: IRunsSettings;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;
  const stores: RunStore[] = [];

  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  beforeEach(async () => {
    server = new FakeJupyterServer();
    settings = await resolveRunsSettings(createSettingRegistry());
    info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    stores.splice(0).forEach(store => store.dispose());
    info.mockRestore();
    warn.mockRestore();
  });

  /**
   * A page whose network to the server can be cut (`page.cut = true`).
   */
  function page(): { store: RunStore; cut: boolean } {
    const link = { store: null as unknown as RunStore, cut: false };
    const contents = new ContentsManager({
      serverSettings: ServerConnection.makeSettings({
        baseUrl: 'http://localhost:8888/',
        fetch: (input, init) =>
          link.cut
            ? Promise.reject(new TypeError('Failed to fetch'))
            : server.fetch(input, init),
        Request,
        Headers
      })
    });
    link.store = createTestStore(server, settings, undefined, { contents });
    stores.push(link.store);
    return link;
  }

  async function indexPath(): Promise<string> {
    return `jupyter-runs/notebooks/${await notebookKey(NOTEBOOK)}/index.json.gz`;
  }

  /** The run ids a fresh page lists. */
  async function listedByNewPage(): Promise<string[]> {
    const reader = page().store;
    // Once the runs other pages' packs hold were looked for too.
    await reader.listRuns(NOTEBOOK);
    await reader.flush();
    return (await reader.listRuns(NOTEBOOK)).runs.map(run => run.id).sort();
  }

  describe('#flush() with another page writing meanwhile', () => {
    it('should keep the runs another page recorded while this one was cut off', async () => {
      const a = page();
      const b = page();
      const kernelA = new KernelEvents('session-a');
      const kernelB = new KernelEvents('session-b');
      b.store.addEvents(NOTEBOOK, [
        kernelB.session_(),
        kernelB.runStart('run-b1'),
        kernelB.runEnd('run-b1')
      ]);
      await b.store.flush();

      // B is cut off and records a run; its index write waits.
      b.cut = true;
      b.store.addEvents(NOTEBOOK, [
        kernelB.runStart('run-b2'),
        kernelB.runEnd('run-b2')
      ]);
      await new Promise(resolve => setTimeout(resolve, 100));
      // Meanwhile A records a run, which lands.
      a.store.addEvents(NOTEBOOK, [
        kernelA.session_(),
        kernelA.runStart('run-a1'),
        kernelA.runEnd('run-a1')
      ]);
      await a.store.flush();
      // B comes back and writes.
      b.cut = false;
      b.store.retryNow();
      await b.store.flush();

      const expected = ['run-a1', 'run-b1', 'run-b2'];
      expect(await listedByNewPage()).toEqual(expected);
      expect(
        (await a.store.listRuns(NOTEBOOK)).runs.map(run => run.id).sort()
      ).toEqual(expected);
      expect(
        (await b.store.listRuns(NOTEBOOK)).runs.map(run => run.id).sort()
      ).toEqual(expected);
      const head = JSON.parse(server.storeText(await indexPath())!);
      expect(
        head.sessions.map((session: { id: string }) => session.id).sort()
      ).toEqual(['session-a', 'session-b']);
    });

    it('should write back a run whose pack is there but whose row another page overwrote', async () => {
      const a = page();
      const kernelA = new KernelEvents('session-a');
      a.store.addEvents(NOTEBOOK, [
        kernelA.session_(),
        kernelA.runStart('run-a1'),
        kernelA.runEnd('run-a1')
      ]);
      await a.store.flush();
      // Another page's index write, sent at the same moment, replaced it.
      const path = await indexPath();
      const head = JSON.parse(server.storeText(path)!);
      server.plantStore(path, JSON.stringify({ ...head, runs: [] }));

      const b = page();
      const kernelB = new KernelEvents('session-b');
      b.store.addEvents(NOTEBOOK, [
        kernelB.session_(),
        kernelB.runStart('run-b1'),
        kernelB.runEnd('run-b1')
      ]);
      await b.store.flush();

      expect(await listedByNewPage()).toEqual(['run-a1', 'run-b1']);
      const rows: StoreFormat.IndexRow[] = JSON.parse(
        server.storeText(path)!
      ).runs;
      expect(rows.find(row => row.id === 'run-a1')).toMatchObject({
        status: 'finished',
        session: 'session-a'
      });
    });

    it("should know what another page stored of a session before that page's index lands", async () => {
      const a = page();
      const b = page();
      const kernel = new KernelEvents('session-1');
      // A records the start; B (a second tab of the same kernel) then holds
      // the writer and stores two executions.
      a.store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1')
      ]);
      await a.store.flush();
      expect(await a.store.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(2);
      b.store.addEvents(NOTEBOOK, [
        kernel.execution('run-1', 1, 'seed = 69'),
        kernel.execution('run-1', 2, 'print(seed)')
      ]);
      await b.store.flush();
      // B's index head has not landed yet (it lands after its pack): put
      // back the head A wrote.
      const path = await indexPath();
      const head = JSON.parse(server.storeText(path)!);
      server.plantStore(
        path,
        JSON.stringify({
          ...head,
          runs: head.runs.map((row: StoreFormat.IndexRow) => ({
            ...row,
            seq: 2
          })),
          sessions: head.sessions.map((session: { id: string }) => ({
            ...session,
            seq: 1
          }))
        })
      );

      // A takes the writer back (B reloaded): it asks the kernel only for
      // what follows B's executions.
      expect(await a.store.lastStoredSeq(NOTEBOOK, 'session-1')).toBe(4);
    });

    it('should lose no row when two pages seal a full index at the same moment', async () => {
      // A head of 2,000 finished rows: the next write moves 1,000 to a
      // segment.
      const seed = page();
      const kernel = new KernelEvents('session-0');
      seed.store.addEvents(NOTEBOOK, [kernel.session_()]);
      for (let i = 0; i < 2000; i++) {
        const id = `run-${String(i).padStart(4, '0')}`;
        seed.store.addEvents(NOTEBOOK, [
          kernel.runStart(id),
          kernel.runEnd(id)
        ]);
      }
      await seed.store.flush();
      const a = page();
      const b = page();
      const kernelA = new KernelEvents('session-a');
      const kernelB = new KernelEvents('session-b');
      kernelA.time = kernelB.time = kernel.time + 10;
      a.store.addEvents(NOTEBOOK, [
        kernelA.session_(),
        kernelA.runStart('run-a'),
        kernelA.runEnd('run-a')
      ]);
      b.store.addEvents(NOTEBOOK, [
        kernelB.session_(),
        kernelB.runStart('run-b'),
        kernelB.runEnd('run-b')
      ]);
      await Promise.all([a.store.flush(), b.store.flush()]);

      const listed = await listedByNewPage();
      expect(listed).toHaveLength(2002);
      expect(listed).toEqual(expect.arrayContaining(['run-a', 'run-b']));
      // Every segment the head names exists and holds its rows.
      const head = JSON.parse(server.storeText(await indexPath())!);
      for (const ref of head.segments) {
        const file = (await indexPath()).replace(
          /index\.json\.gz$/,
          `index/${ref.segment}.json.gz`
        );
        expect(JSON.parse(server.storeText(file)!).runs).toHaveLength(
          ref.count
        );
      }
    }, 60000);
  });
});
