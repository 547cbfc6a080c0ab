import type { CodeCellModel } from '@jupyterlab/cells';
import { NotebookModel } from '@jupyterlab/notebook';

import { MemoryLocalStore } from '../store/local';
import { RunStore } from '../store/store';
import {
  restorableCells,
  restorePointEvents,
  RESTORE_POINT_REASON,
  timeOrderedId
} from '../restore/restore';
import { isValidId } from '../store/format';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import {
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

describe('restore', () => {
  describe('#timeOrderedId()', () => {
    it('should give valid ids that sort by time', () => {
      const early = timeOrderedId(Date.UTC(2026, 10, 26, 15, 44), () => 0.99);
      const late = timeOrderedId(Date.UTC(2026, 10, 26, 15, 45), () => 0);
      expect(early).toBe('20261126T154400000Z-999999');
      expect(isValidId(early) && isValidId(late)).toBe(true);
      expect([late, early].sort()).toEqual([early, late]);
    });
  });

  describe('#restorableCells()', () => {
    it('should make snapshot cells fit to insert', () => {
      expect(
        restorableCells({
          cells: [
            {
              id: 'a',
              cell_type: 'code',
              source: ['x = 1\n', 'x'],
              metadata: { tags: ['p'] },
              outputs: [{ output_type: 'stream', name: 'stdout', text: '1' }],
              execution_count: 3
            },
            { id: 'a', cell_type: 'markdown', source: '# again a' },
            { cell_type: 'raw', source: 'raw', outputs: ['dropped'] },
            'not a cell',
            { id: '', cell_type: 'odd', source: 7 }
          ]
        })
      ).toEqual([
        {
          id: 'a',
          cell_type: 'code',
          source: 'x = 1\nx',
          metadata: { tags: ['p'] },
          outputs: [{ output_type: 'stream', name: 'stdout', text: '1' }],
          execution_count: 3
        },
        { id: 'a-1', cell_type: 'markdown', source: '# again a', metadata: {} },
        { id: 'cell-2', cell_type: 'raw', source: 'raw', metadata: {} },
        {
          id: 'cell-4',
          cell_type: 'code',
          source: '',
          metadata: {},
          outputs: [],
          execution_count: null
        }
      ]);
    });
  });

  describe('#restorableCells() trust', () => {
    it('should restore every cell untrusted, whatever the stored snapshot says', () => {
      // A store anyone can write (shared, synced, committed) must not get a
      // script run in this page by a restore.
      const script = {
        output_type: 'display_data',
        data: { 'text/html': '<script>window.ran = true</script>' },
        metadata: {}
      };
      const snapshot = {
        cells: [
          {
            id: 'c',
            cell_type: 'code',
            source: 'show()',
            metadata: { trusted: true, tags: ['kept'] },
            outputs: [script],
            execution_count: 1
          },
          {
            id: 'm',
            cell_type: 'markdown',
            source: '# title',
            metadata: { trusted: true }
          }
        ]
      };
      const cells = restorableCells(snapshot);
      const model = new NotebookModel();
      model.sharedModel.transact(() => {
        model.sharedModel.insertCells(0, cells as never);
      });

      expect(model.cells.length).toBe(2);
      for (let index = 0; index < model.cells.length; index++) {
        const cell = model.cells.get(index);
        expect(cell.trusted).toBe(false);
        expect(cell.getMetadata('trusted')).toBeUndefined();
      }
      const code = model.cells.get(0) as CodeCellModel;
      expect(code.outputs.trusted).toBe(false);
      expect(code.outputs.get(0).trusted).toBe(false);
      expect(code.getMetadata('tags')).toEqual(['kept']);
      // The snapshot itself is left as it was.
      expect(snapshot.cells[0].metadata.trusted).toBe(true);
      model.dispose();
    });
  });

  describe('restore points', () => {
    beforeAll(() => {
      installCompression();
      installWebCrypto();
    });

    it('should be stored as a finished run with its snapshot, tagged with the run restored', async () => {
      const server = new FakeJupyterServer();
      const settings = await resolveRunsSettings(createSettingRegistry());
      const store = new RunStore({
        contents: server.contents(),
        settings,
        local: new MemoryLocalStore(),
        debounce: 1,
        runningInterval: 1
      });
      const now = Date.UTC(2026, 10, 26, 15, 44);
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          {
            id: 'a',
            cell_type: 'code',
            source: 'seed = 42',
            metadata: {},
            outputs: [],
            execution_count: 2
          }
        ]
      };
      store.addEvents(
        'nb.ipynb',
        restorePointEvents({
          session: 'restore-1',
          run: 'point-1',
          name: 'before restoring swift-otter-1',
          restored: 'run-1',
          now
        })
      );
      store.saveSnapshot('nb.ipynb', { run: 'point-1', time: now, notebook });
      await store.flush();

      const { runs, problems } = await store.listRuns('nb.ipynb');
      expect(problems).toEqual([]);
      expect(runs).toMatchObject([
        {
          id: 'point-1',
          name: 'before restoring swift-otter-1',
          status: 'finished',
          tags: { restored: 'run-1' }
        }
      ]);
      const run = (await store.readRun('nb.ipynb', 'point-1')).value;
      expect(run).toMatchObject({
        reason: RESTORE_POINT_REASON,
        session: 'restore-1'
      });
      const snapshot = (await store.readSnapshot('nb.ipynb', 'point-1')).value;
      expect(restorableCells(snapshot!.notebook)).toEqual(notebook.cells);
      store.dispose();
    });
  });
});
