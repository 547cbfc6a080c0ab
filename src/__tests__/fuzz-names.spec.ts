import { DisposableSet } from '@lumino/disposable';

import { StoreFormat } from '../store/format';
import { isNotebookKey, notebookKey, StoreLayout } from '../store/paths';
import type { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

/**
 * Text a user or a kernel may hand the store: traversal, absolute paths,
 * NUL and other controls, bidirectional marks, emoji, a thousand
 * characters, Windows device names, a lone surrogate.
 */
const HOSTILE = [
  '../x',
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\system32',
  'a/b',
  'a\u0000b',
  '\u0000',
  '\u202eevil\u202c.txt',
  '\u200f\u05e9\u05dc\u05d5\u05dd',
  '😀🧪📓',
  '👩‍👩‍👧‍👦',
  'x'.repeat(1000),
  'con',
  'NUL',
  'lpt9',
  'COM1.txt',
  '.hidden',
  '..',
  ' ',
  '\ud800',
  '\r\n\t',
  '%2e%2e%2f'
];

describe('RunStore', () => {
  describe('hostile names', () => {
    let settings: IRunsSettings;
    let server: FakeJupyterServer;
    let store: RunStore;
    let layout: StoreLayout;
    let warn: jest.SpyInstance;
    /** Other pages over the same server, disposed after each test. */
    let pages: DisposableSet;

    beforeAll(() => {
      installWebCrypto();
      installCompression();
    });

    beforeEach(async () => {
      settings = await resolveRunsSettings(createSettingRegistry());
      layout = new StoreLayout(settings.config.storeFolder);
      server = new FakeJupyterServer();
      store = createTestStore(server, settings);
      pages = new DisposableSet();
      warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    });

    afterEach(() => {
      pages.dispose();
      store.dispose();
      warn.mockRestore();
      // Nothing is ever written outside the store folder.
      for (const request of server.requests) {
        if (request.method !== 'GET' && request.path !== layout.folder) {
          expect(layout.contains(request.path)).toBe(true);
        }
      }
    });

    async function recordOne(
      notebook: string,
      run: string,
      events?: (kernel: KernelEvents) => Runs.KernelEvent[]
    ): Promise<void> {
      const kernel = new KernelEvents();
      store.addEvents(notebook, [
        kernel.session_(),
        kernel.runStart(run, { seed: 1 }),
        kernel.execution(run, 1, 'seed = 1'),
        ...(events ? events(kernel) : []),
        kernel.runEnd(run)
      ]);
      await store.flush();
    }

    describe('notebook paths', () => {
      const paths = [
        ...HOSTILE.map(name => `${name}.ipynb`),
        ...HOSTILE,
        '../../../../tmp/x.ipynb',
        `${'deep/'.repeat(200)}n.ipynb`
      ];

      it.each(paths.map(path => [JSON.stringify(path).slice(0, 60), path]))(
        'should keep the runs of %s in a plain folder of the store',
        async (_, path) => {
          await recordOne(path, 'run-1');
          const key = await notebookKey(path);
          expect(isNotebookKey(key)).toBe(true);
          expect(key).toMatch(/^[a-z0-9-]+$/);
          const written = server.fileWrites;
          expect(written.length).toBeGreaterThan(0);
          for (const file of written) {
            expect(layout.contains(file)).toBe(true);
            expect(
              file === layout.storeFile ||
                file.startsWith(`${layout.notebookFolder(key)}/`)
            ).toBe(true);
          }
          const list = await store.listRuns(path);
          expect(list.problems).toEqual([]);
          expect(list.runs.map(run => [run.id, run.notebookPath])).toEqual([
            ['run-1', path]
          ]);
          expect(await store.listNotebooks()).toEqual([path]);
          const { value, problems } = await store.readRun(path, 'run-1');
          expect(problems).toEqual([]);
          expect(value?.notebookPath).toBe(path);
        }
      );

      it('should keep notebooks apart whose paths make the same slug', async () => {
        await recordOne('a/b.ipynb', 'run-1');
        await recordOne('a-b.ipynb', 'run-2');
        await recordOne('A B.ipynb', 'run-3');
        expect((await store.listRuns('a/b.ipynb')).runs.map(r => r.id)).toEqual(
          ['run-1']
        );
        expect((await store.listRuns('a-b.ipynb')).runs.map(r => r.id)).toEqual(
          ['run-2']
        );
        expect((await store.listNotebooks()).length).toBe(3);
      });
    });

    describe('names, tags and notes from the kernel', () => {
      it.each(HOSTILE.map(text => [JSON.stringify(text).slice(0, 40), text]))(
        'should give back %s exactly',
        async (_, text) => {
          await recordOne('n.ipynb', 'run-1', kernel => [
            { ...kernel.tag('run-1', text, text) },
            { ...kernel.param('run-1', text, text) }
          ]);
          const list = await store.listRuns('n.ipynb');
          expect(list.problems).toEqual([]);
          const [row] = list.runs;
          expect(row.tags[text]).toBe(text);
          expect(row.params[text]).toBe(text);
          const { value, problems } = await store.readRun('n.ipynb', 'run-1');
          expect(problems).toEqual([]);
          expect(value!.tags[text]).toBe(text);
          expect(value!.params[text].value).toBe(text);
        }
      );

      it('should give back a run name of any text', async () => {
        const kernel = new KernelEvents();
        const events: Runs.KernelEvent[] = [kernel.session_()];
        HOSTILE.forEach((name, index) => {
          const run = `run-${index}`;
          events.push(
            { ...kernel.runStart(run), name },
            kernel.execution(run, index + 1, 'x'),
            kernel.runEnd(run)
          );
        });
        store.addEvents('n.ipynb', events);
        await store.flush();
        const list = await store.listRuns('n.ipynb');
        expect(list.problems).toEqual([]);
        const names = new Map(list.runs.map(run => [run.id, run.name]));
        HOSTILE.forEach((name, index) => {
          expect(names.get(`run-${index}`)).toBe(name);
        });
      });
    });

    describe('#updateRun()', () => {
      it.each(HOSTILE.map(text => [JSON.stringify(text).slice(0, 40), text]))(
        'should store %s exactly, or refuse it with a clear message',
        async (_, text) => {
          await recordOne('n.ipynb', 'run-1');
          const change: Runs.RunChange = {
            name: text,
            note: text,
            tags: { [text]: text }
          };
          const tooLong = [...text].length > StoreFormat.MAX_NAME;
          if (tooLong || text.trim() === '') {
            await expect(
              store.updateRun('n.ipynb', 'run-1', change)
            ).rejects.toThrow(
              tooLong ? /the most is 200\./ : /must not be empty/
            );
            await expect(
              store.updateRun('n.ipynb', 'run-1', { note: text })
            ).resolves.toBeUndefined();
            expect((await store.listRuns('n.ipynb')).runs[0].note).toBe(text);
            return;
          }
          await store.updateRun('n.ipynb', 'run-1', change);
          await store.flush();
          // A fresh page reads what this one wrote.
          const other = createTestStore(server, settings);
          pages.add(other);
          const list = await other.listRuns('n.ipynb');
          expect(list.problems).toEqual([]);
          expect(list.runs[0].name).toBe(text);
          expect(list.runs[0].note).toBe(text);
          expect(list.runs[0].tags[text]).toBe(text);
        }
      );

      it('should refuse a note or a tag longer than the format allows', async () => {
        await recordOne('n.ipynb', 'run-1');
        await expect(
          store.updateRun('n.ipynb', 'run-1', {
            note: 'n'.repeat(StoreFormat.MAX_NOTE + 1)
          })
        ).rejects.toThrow(/the most is 10000\./);
        await expect(
          store.updateRun('n.ipynb', 'run-1', {
            tags: { ['k'.repeat(StoreFormat.MAX_TAG + 1)]: 'v' }
          })
        ).rejects.toThrow(/200/);
        await expect(
          store.updateRun('n.ipynb', 'run-1', {
            tags: { k: 'v'.repeat(StoreFormat.MAX_TAG + 1) }
          })
        ).rejects.toThrow(/200/);
        // Emoji are one character each, as JSON Schema counts them.
        await store.updateRun('n.ipynb', 'run-1', {
          name: '😀'.repeat(StoreFormat.MAX_NAME)
        });
        expect((await store.listRuns('n.ipynb')).runs[0].name).toBe(
          '😀'.repeat(StoreFormat.MAX_NAME)
        );
      });
    });

    describe('invalid ids', () => {
      const ids = [
        '../x',
        '/etc/passwd',
        'a/b',
        '..',
        '.hidden',
        'con',
        'NUL',
        'com7',
        'Lpt1',
        '',
        'a'.repeat(81),
        'a\u0000b',
        'é',
        '-leading',
        'run 1',
        '😀'
      ];

      it.each(ids.map(id => [JSON.stringify(id).slice(0, 40), id]))(
        'should refuse the run id %s',
        async (_, id) => {
          await recordOne('n.ipynb', id);
          expect(warn).toHaveBeenCalled();
          expect((await store.listRuns('n.ipynb')).runs).toEqual([]);
          await expect(
            store.updateRun('n.ipynb', id, { name: 'x' })
          ).rejects.toThrow();
          await expect(store.deleteRun('n.ipynb', id)).rejects.toThrow();
          const read = await store.readRun('n.ipynb', id);
          expect(read.value).toBeNull();
          const snapshots = await store.readSnapshots('n.ipynb', id);
          expect(snapshots.value).toEqual([]);
          for (const file of server.fileWrites) {
            expect(id !== '' && file.includes(id)).toBe(false);
          }
        }
      );

      it('should refuse a session id that is not an id', async () => {
        for (const id of ids) {
          await expect(store.lastStoredSeq('n.ipynb', id)).resolves.toBe(0);
        }
      });
    });
  });
});
