import type { PendingWrite } from '../store/local';
import { serverIdentity } from '../store/local';
import type { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto,
  PersistentLocalStore
} from './store-server';

const NOTEBOOK = 'analysis/train.ipynb';
const ADDRESS = 'http://localhost:8888/';
const PROJECT_A = serverIdentity(ADDRESS, '/home/me/project-a');
const PROJECT_B = serverIdentity(ADDRESS, '/home/me/project-b');

/**
 * One browser (its IndexedDB log kept across page loads) and two Jupyter
 * servers served one after the other at the same address.
 */
describe('RunStore', () => {
  let settings: IRunsSettings;
  let warn: jest.SpyInstance;
  const stores: RunStore[] = [];

  beforeAll(() => {
    installWebCrypto();
    installCompression();
  });

  beforeEach(async () => {
    settings = await resolveRunsSettings(createSettingRegistry());
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    stores.splice(0).forEach(store => store.dispose());
    warn.mockRestore();
  });

  type Held = { writes: readonly PendingWrite[]; why: string };

  /**
   * A page load of the browser on a server, telling `held` about writes it
   * keeps for another server or store.
   */
  function page(
    server: FakeJupyterServer,
    browser: PersistentLocalStore,
    identity: string,
    held: Held[] = []
  ): { store: RunStore; close: () => void } {
    const local = browser.open();
    const store = createTestStore(server, settings, local, {
      server: identity,
      onHeld: (writes, why) => held.push({ writes, why })
    });
    stores.push(store);
    return {
      store,
      close: () => {
        store.dispose();
        local.close();
      }
    };
  }

  /**
   * Project A records run-1, then its server goes away while run-1 goes on:
   * those writes wait in the browser's log when the page is closed.
   */
  async function pendingInA(
    browser: PersistentLocalStore
  ): Promise<FakeJupyterServer> {
    const a = new FakeJupyterServer();
    const kernel = new KernelEvents();
    const { store, close } = page(a, browser, PROJECT_A);
    store.addEvents(NOTEBOOK, [kernel.session_(), kernel.runStart('run-1')]);
    await store.flush();
    a.down = true;
    store.addEvents(NOTEBOOK, [
      kernel.execution('run-1', 1, 'secret_of_project_a = 1'),
      kernel.runEnd('run-1')
    ]);
    await waitFor(() => browser.pending.size > 0);
    await new Promise(resolve => setTimeout(resolve, 50));
    close();
    return a;
  }

  /**
   * Project B's server, whose store holds run-b, recorded by one of its
   * pages.
   */
  async function projectB(): Promise<FakeJupyterServer> {
    const b = new FakeJupyterServer();
    const kernel = new KernelEvents('session-b');
    const own = new PersistentLocalStore();
    const { store, close } = page(b, own, PROJECT_B);
    store.addEvents(NOTEBOOK, [
      kernel.session_(),
      kernel.runStart('run-b'),
      kernel.runEnd('run-b')
    ]);
    await store.flush();
    close();
    return b;
  }

  /**
   * Every stored file of a server, as text: what a foreign write would
   * show up in.
   */
  function everything(server: FakeJupyterServer): string {
    return server
      .storeFiles()
      .map(path => `${path}\n${server.storeText(path)}`)
      .join('\n');
  }

  describe('#constructor() with writes left in the browser', () => {
    it('should give every new store a random id in store.json', async () => {
      const b = await projectB();
      const file = JSON.parse(b.file('jupyter-runs/store.json')!);
      expect(file).toEqual({
        format: 'jupyterlab-runs/store',
        version: 2,
        createdAt: expect.any(Number),
        id: expect.stringMatching(/^[a-z0-9]{16}$/)
      });
    });

    it('should leave the writes of another server for it, and say so', async () => {
      const browser = new PersistentLocalStore();
      const a = await pendingInA(browser);
      const b = await projectB();
      const before = everything(b);
      const pending = browser.pending.size;

      const held: Held[] = [];
      const { store } = page(b, browser, PROJECT_B, held);
      await store.flush();

      expect(everything(b)).toBe(before);
      expect(everything(b)).not.toContain('secret_of_project_a');
      expect(browser.pending.size).toBe(pending);
      expect(held).toEqual([{ writes: expect.any(Array), why: 'server' }]);
      expect(held[0].writes).toHaveLength(pending);

      // Back on project A, they land there.
      a.down = false;
      const back = page(a, browser, PROJECT_A);
      await back.store.flush();
      expect(browser.pending.size).toBe(0);
      expect((await back.store.listRuns(NOTEBOOK)).runs).toMatchObject([
        { id: 'run-1', status: 'finished' }
      ]);
    });

    it.each([
      ['holds a store with another id', true],
      ['holds no store', false]
    ])(
      'should never send writes kept for a store into a folder that %s',
      async (_, hasStore) => {
        const browser = new PersistentLocalStore();
        const a = await pendingInA(browser);
        // Served from the same folder name, so the server looks the same:
        // only the store's id tells them apart.
        const b = hasStore ? await projectB() : new FakeJupyterServer();
        const before = everything(b);
        const writesBefore = b.fileWrites.length;
        const pending = browser.pending.size;

        const held: Held[] = [];
        const { store, close } = page(b, browser, PROJECT_A, held);
        await store.flush();

        expect(everything(b)).toBe(before);
        expect(everything(b)).not.toContain('secret_of_project_a');
        expect(b.fileWrites.slice(writesBefore)).toEqual([]);
        expect(browser.pending.size).toBe(pending);
        expect(held.map(item => item.why)).toEqual(['store']);
        close();

        a.down = false;
        const back = page(a, browser, PROJECT_A);
        await back.store.flush();
        expect(browser.pending.size).toBe(0);
        expect((await back.store.listRuns(NOTEBOOK)).runs).toMatchObject([
          { id: 'run-1', status: 'finished' }
        ]);
      }
    );

    it('should give a store of an earlier version an id on its first write, keeping when it was created', async () => {
      const server = new FakeJupyterServer();
      server.plant(
        'jupyter-runs/store.json',
        JSON.stringify({
          format: 'jupyterlab-runs/store',
          version: 2,
          createdAt: 1764171840000
        })
      );
      const kernel = new KernelEvents();
      const { store } = page(server, new PersistentLocalStore(), PROJECT_A);
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1')
      ] as Runs.KernelEvent[]);
      await store.flush();

      expect(JSON.parse(server.file('jupyter-runs/store.json')!)).toEqual({
        format: 'jupyterlab-runs/store',
        version: 2,
        createdAt: 1764171840000,
        id: expect.stringMatching(/^[a-z0-9]{16}$/)
      });
      expect((await store.listRuns(NOTEBOOK)).runs).toHaveLength(1);
    });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  if (!condition()) {
    throw new Error('timed out');
  }
}
