import type { NotebookTracker } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import type { IDisposable } from '@lumino/disposable';

import { PALETTE_ARGS } from '../commands';
import type { IRunDialogs } from '../history/commands';
import {
  addRunCommands,
  parseMetricNames,
  parseTagInput,
  RUN_COMMANDS
} from '../history/commands';
import { shortId } from '../history/dialogs';
import { RunsPanelModel } from '../history/model';
import { FakeRunStore, runSummary, settle } from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { TrackedNotebooks } from './notebooks';

/**
 * Dialogs answering what the test says, and remembering what they were asked.
 */
class FakeDialogs implements IRunDialogs {
  confirmAnswer = true;
  textAnswer: string | null = null;
  readonly asked: string[] = [];
  readonly errors: unknown[] = [];
  /** The lines listed under each confirmation. */
  readonly details: (readonly string[])[] = [];
  /** The undo offers made, each with whether it was taken back. */
  readonly offers: { message: string; undo: () => void; withdrawn: boolean }[] =
    [];

  async confirm(
    _title: string,
    body: string,
    _accept: string,
    details: readonly string[] = []
  ): Promise<boolean> {
    this.asked.push(body);
    this.details.push(details);
    return this.confirmAnswer;
  }

  offerUndo(message: string, undo: () => void): () => void {
    const offer = { message, undo, withdrawn: false };
    this.offers.push(offer);
    return () => {
      offer.withdrawn = true;
    };
  }

  async getText(title: string, _label: string, value: string) {
    this.asked.push(`${title}: ${value}`);
    return this.textAnswer;
  }

  async error(_title: string, reason: unknown): Promise<void> {
    this.errors.push(reason);
  }
}

describe('addRunCommands', () => {
  let commands: CommandRegistry;
  let store: FakeRunStore;
  let model: RunsPanelModel;
  let dialogs: FakeDialogs;
  let added: IDisposable;
  let opened: TrackedNotebooks;
  let notebooks: NotebookTracker;

  const run = runSummary({ id: 'r1', name: 'brave-otter-1', note: 'first' });

  beforeEach(async () => {
    const settings = await resolveRunsSettings(createSettingRegistry());
    opened = new TrackedNotebooks();
    notebooks = opened.tracker;
    store = new FakeRunStore();
    store.lists.set('train.ipynb', { runs: [run], problems: [] });
    model = new RunsPanelModel({ settings, notebooks, store });
    model.isVisible = true;
    dialogs = new FakeDialogs();
    added = addRunCommands(
      (commands = new CommandRegistry()),
      model,
      nullTranslator.load('jupyterlab_runs'),
      dialogs
    );
    await opened.open('train.ipynb');
    await settle();
  });

  afterEach(() => {
    added.dispose();
    model.dispose();
    opened.dispose();
  });

  function select(): void {
    model.select(RunsPanelModel.rowKey(run));
  }

  describe('opening and comparing', () => {
    const second = runSummary({ id: 'r2', name: 'calm-heron-2' });
    const third = runSummary({ id: 'r3', name: 'quiet-lynx-3' });

    beforeEach(async () => {
      store.setRuns('train.ipynb', {
        runs: [run, second, third],
        problems: []
      });
      await settle();
    });

    it('should open the selected run', async () => {
      const asked: string[] = [];
      model.runOpened.connect((_, opened) => asked.push(opened.id));
      expect(commands.isEnabled('jupyterlab-runs:open-selected-run')).toBe(
        false
      );
      select();
      await commands.execute('jupyterlab-runs:open-selected-run');
      expect(asked).toEqual(['r1']);
    });

    it.each([
      [
        'jupyterlab-runs:open-selected-snapshot',
        'jupyterlab-runs:open-snapshot'
      ],
      [
        'jupyterlab-runs:show-selected-as-executed',
        'jupyterlab-runs:show-as-executed'
      ],
      [
        'jupyterlab-runs:show-selected-changes-since',
        'jupyterlab-runs:show-changes-since'
      ],
      ['jupyterlab-runs:rerun-selected-run', 'jupyterlab-runs:rerun'],
      [
        'jupyterlab-runs:restore-selected-run',
        'jupyterlab-runs:restore-snapshot'
      ]
    ])('should hand the selected run to %s', async (id, target) => {
      select();
      // Enabled only once the plugin giving the command is there.
      expect(commands.isEnabled(id)).toBe(false);
      const given: unknown[] = [];
      commands.addCommand(target, { execute: args => void given.push(args) });
      expect(commands.isEnabled(id)).toBe(true);
      await commands.execute(id);
      expect(given).toEqual([{ notebookPath: 'train.ipynb', runId: 'r1' }]);
    });

    it("should be disabled with the other command's reason when that command refuses the run", () => {
      select();
      commands.addCommand('jupyterlab-runs:restore-snapshot', {
        caption: args =>
          args.notebookPath === 'train.ipynb' ? 'Shared: not available' : '',
        isEnabled: args => args.notebookPath !== 'train.ipynb',
        execute: () => undefined
      });
      const id = 'jupyterlab-runs:restore-selected-run';
      expect(commands.isEnabled(id)).toBe(false);
      expect(commands.caption(id)).toBe('Shared: not available');
    });

    it('should compare 2 to 50 selected runs, in table order', async () => {
      const compared: unknown[] = [];
      commands.addCommand('jupyterlab-runs:compare-runs', {
        execute: args => {
          compared.push(args);
        }
      });
      select();
      expect(commands.isEnabled('jupyterlab-runs:compare-selected-runs')).toBe(
        false
      );
      model.toggleSelected(RunsPanelModel.rowKey(third));
      expect(commands.label('jupyterlab-runs:compare-selected-runs')).toBe(
        'Compare 2 Selected Runs'
      );
      await commands.execute('jupyterlab-runs:compare-selected-runs');
      model.selectRange(RunsPanelModel.rowKey(second));
      expect(model.selectedRuns.map(selected => selected.id).sort()).toEqual([
        'r2',
        'r3'
      ]);
      model.toggleSelected(RunsPanelModel.rowKey(third));
      expect(model.selectedRuns.map(selected => selected.id)).toEqual(['r2']);
      expect(compared).toEqual([
        {
          runs: model.rows
            .map(row => row.run)
            .filter(shown => shown.id !== 'r2')
            .map(shown => ({ notebookPath: 'train.ipynb', runId: shown.id }))
        }
      ]);
    });
  });

  it('should describe every command, and disable run actions without a selection', () => {
    for (const id of RUN_COMMANDS) {
      expect(commands.label(id)).not.toBe('');
      expect(commands.caption(id)).not.toBe('');
    }
    expect(commands.isEnabled('jupyterlab-runs:pin-run')).toBe(false);
    select();
    expect(commands.isEnabled('jupyterlab-runs:pin-run')).toBe(true);
    expect(commands.label('jupyterlab-runs:pin-run')).toBe('Pin Run');
  });

  it('should say "Runs:" in the command palette only', () => {
    for (const id of RUN_COMMANDS) {
      expect(commands.label(id, PALETTE_ARGS)).toBe(
        `Runs: ${commands.label(id)}`
      );
    }
    expect(commands.label('jupyterlab-runs:rename-run', PALETTE_ARGS)).toBe(
      'Runs: Rename Run…'
    );
  });

  it.each([
    ['jupyterlab-runs:pin-run', { pinned: true }],
    ['jupyterlab-runs:archive-run', { archived: true }]
  ])('%s should change the run in the store', async (id, change) => {
    select();
    await commands.execute(id);
    expect(store.updates).toEqual([{ path: 'train.ipynb', run: 'r1', change }]);
  });

  it('should rename with the name typed, and not for a cancel', async () => {
    select();
    await commands.execute('jupyterlab-runs:rename-run');
    expect(store.updates).toEqual([]);
    dialogs.textAnswer = '  tuned  ';
    await commands.execute('jupyterlab-runs:rename-run');
    expect(dialogs.asked).toContain('Rename Run: brave-otter-1');
    expect(store.updates).toEqual([
      { path: 'train.ipynb', run: 'r1', change: { name: 'tuned' } }
    ]);
    // An empty name is refused, and the user is told why.
    dialogs.textAnswer = '   ';
    await commands.execute('jupyterlab-runs:rename-run');
    expect(store.updates).toHaveLength(1);
    expect(dialogs.errors).toEqual([
      'A run needs a name: "tuned" keeps its name. Type at least one character that is not a space.'
    ]);
  });

  it('should set and remove tags and notes', async () => {
    select();
    dialogs.textAnswer = 'model = xgboost';
    await commands.execute('jupyterlab-runs:tag-run');
    dialogs.textAnswer = '';
    await commands.execute('jupyterlab-runs:note-run');
    expect(store.updates.map(update => update.change)).toEqual([
      { tags: { model: 'xgboost' } },
      { note: null }
    ]);
  });

  it('should delete only once the user confirmed', async () => {
    select();
    dialogs.confirmAnswer = false;
    await commands.execute('jupyterlab-runs:delete-run');
    expect(store.deletes).toEqual([]);
    dialogs.confirmAnswer = true;
    await commands.execute('jupyterlab-runs:delete-run');
    expect(dialogs.details[1][0]).toContain('"brave-otter-1"');
    await model.flushDeletions();
    expect(store.deletes).toEqual([{ path: 'train.ipynb', run: 'r1' }]);
    expect(model.selectedKey).toBeNull();
  });

  describe('several selected runs', () => {
    const second = runSummary({
      id: 'b7c1d2e3f4a5',
      name: 'brave-otter-1',
      startedAt: Date.UTC(2024, 0, 2, 4, 0, 0)
    });
    const running = runSummary({
      id: 'r9',
      name: 'swift-lynx-9',
      status: 'running'
    });

    beforeEach(async () => {
      store.setRuns('train.ipynb', {
        runs: [running, second, run],
        problems: []
      });
      await settle();
    });

    it('should name the focused run in single-run labels', () => {
      select();
      expect(commands.label('jupyterlab-runs:rename-run')).toBe('Rename Run…');
      model.toggleSelected(RunsPanelModel.rowKey(second));
      expect(model.selectedRuns).toHaveLength(2);
      expect(model.selectedRun?.id).toBe(second.id);
      expect(
        [
          'jupyterlab-runs:open-selected-run',
          'jupyterlab-runs:rename-run',
          'jupyterlab-runs:pin-run',
          'jupyterlab-runs:archive-run',
          'jupyterlab-runs:open-selected-snapshot',
          'jupyterlab-runs:rerun-selected-run'
        ].map(id => commands.label(id))
      ).toEqual([
        'Open brave-otter-1',
        'Rename brave-otter-1…',
        'Pin brave-otter-1',
        'Archive brave-otter-1',
        'Open Snapshot of brave-otter-1',
        'Re-run brave-otter-1 in a Fresh Kernel'
      ]);
      // Delete acts on them all, and says how many.
      expect(commands.label('jupyterlab-runs:delete-run')).toBe(
        'Delete 2 Runs…'
      );
    });

    it('should act on the focused run, and be off with a reason when the focus is on none of them', async () => {
      select();
      model.toggleSelected(RunsPanelModel.rowKey(second));
      dialogs.textAnswer = 'tuned';
      await commands.execute('jupyterlab-runs:rename-run');
      expect(store.updates).toEqual([
        { path: 'train.ipynb', run: second.id, change: { name: 'tuned' } }
      ]);
      // The focus moves on to a run that is not selected.
      expect(model.rows.map(row => row.run.id)).toEqual([
        second.id,
        'r9',
        'r1'
      ]);
      model.moveSelection(1, 'focus');
      expect(model.selectedKey).toBe(RunsPanelModel.rowKey(running));
      expect(model.selectedRun).toBeNull();
      expect(commands.isEnabled('jupyterlab-runs:rename-run')).toBe(false);
      expect(commands.caption('jupyterlab-runs:rename-run')).toContain(
        '2 runs are selected and the focus is on none of them'
      );
      // Delete still acts on the selected runs.
      expect(commands.isEnabled('jupyterlab-runs:delete-run')).toBe(true);
    });

    it('should not offer to delete a running run, and say why', () => {
      model.select(RunsPanelModel.rowKey(running));
      expect(commands.isEnabled('jupyterlab-runs:delete-run')).toBe(false);
      expect(commands.caption('jupyterlab-runs:delete-run')).toContain(
        'A running run cannot be deleted'
      );
    });

    it('should name each run with its start and id, and delete once the time to undo is over', async () => {
      select();
      model.toggleSelected(RunsPanelModel.rowKey(second));
      await commands.execute('jupyterlab-runs:delete-run');
      // Two runs share a name: the time and the id tell them apart.
      const [first, other] = dialogs.details[0];
      expect(first).toMatch(
        /^"brave-otter-1", started .+ \(id b7c1d2e3f4a5\)$/
      );
      expect(other).toMatch(/^"brave-otter-1", started .+ \(id r1\)$/);
      expect(first).not.toBe(other);
      // Gone from the table at once, not yet from the store.
      expect(model.rows.map(row => row.run.id)).toEqual(['r9']);
      expect(model.selectedRuns).toEqual([]);
      expect(store.deletes).toEqual([]);
      expect(dialogs.offers.map(offer => offer.message)).toEqual([
        'Deleted 2 runs.'
      ]);
      await model.flushDeletions();
      await settle();
      expect(store.deletes.map(deleted => deleted.run).sort()).toEqual([
        'b7c1d2e3f4a5',
        'r1'
      ]);
      // Too late to undo: the offer is taken back.
      expect(dialogs.offers[0].withdrawn).toBe(true);
      expect(model.rows.map(row => row.run.id)).toEqual(['r9']);
    });

    it('should bring the runs back with Undo, the store never deleting them', async () => {
      jest.useFakeTimers();
      try {
        select();
        await commands.execute('jupyterlab-runs:delete-run');
        expect(model.rows.map(row => row.run.id)).toEqual([second.id, 'r9']);
        dialogs.offers[0].undo();
        expect(model.rows.map(row => row.run.id)).toEqual([
          second.id,
          'r9',
          'r1'
        ]);
        jest.advanceTimersByTime(RunsPanelModel.UNDO_DELETE_FOR * 2);
        await settle();
        expect(store.deletes).toEqual([]);
        expect(dialogs.offers[0].withdrawn).toBe(true);
      } finally {
        jest.useRealTimers();
      }
    });

    it('should delete by itself when the time to undo is over', async () => {
      jest.useFakeTimers();
      try {
        select();
        await commands.execute('jupyterlab-runs:delete-run');
        jest.advanceTimersByTime(RunsPanelModel.UNDO_DELETE_FOR - 1);
        await settle();
        expect(store.deletes).toEqual([]);
        jest.advanceTimersByTime(1);
        await settle();
        expect(store.deletes).toEqual([{ path: 'train.ipynb', run: 'r1' }]);
        // Undo once deleted brings nothing back.
        dialogs.offers[0].undo();
        expect(model.rows.map(row => row.run.id)).not.toContain('r1');
      } finally {
        jest.useRealTimers();
      }
    });

    it('should bring back a run the store refuses to delete, and say why', async () => {
      select();
      const refusal = new Error('read-only');
      store.deleteRun = () => Promise.reject(refusal);
      await commands.execute('jupyterlab-runs:delete-run');
      expect(model.rows.map(row => row.run.id)).not.toContain('r1');
      await model.flushDeletions();
      await settle();
      expect(model.rows.map(row => row.run.id)).toContain('r1');
      expect(dialogs.errors).toEqual([refusal]);
    });
  });

  it('should say when the store refuses a change', async () => {
    select();
    const refusal = new Error('read-only');
    store.updateRun = () => Promise.reject(refusal);
    await commands.execute('jupyterlab-runs:pin-run');
    expect(dialogs.errors).toEqual([refusal]);
  });

  it('should toggle archived runs and all notebooks', async () => {
    await commands.execute('jupyterlab-runs:toggle-archived');
    expect(model.showArchived).toBe(true);
    expect(commands.isToggled('jupyterlab-runs:toggle-archived')).toBe(true);
    await commands.execute('jupyterlab-runs:toggle-all-notebooks');
    expect(model.allNotebooks).toBe(true);
  });

  describe('#parseTagInput()', () => {
    it.each([
      ['model=xgboost', { model: 'xgboost' }],
      [' model = xgboost ', { model: 'xgboost' }],
      ['model=', { model: null }],
      ['baseline', { baseline: '' }],
      ['url=a=b', { url: 'a=b' }],
      ['=x', null],
      ['', null]
    ])('should read %j', (text, tags) => {
      expect(parseTagInput(text)).toEqual(tags);
    });
  });

  describe('#shortId()', () => {
    it.each([
      ['20261126T154400123Z-k3x9qa', 'k3x9qa'],
      ['echo-1a2b3c4d-r1', '1a2b3c4d-r1'],
      ['b7c1d2e3f4a5', 'b7c1d2e3f4a5']
    ])('should tell %s by %s', (id, short) => {
      expect(shortId(id)).toBe(short);
    });
  });

  describe('#parseMetricNames()', () => {
    it('should split on commas and drop empty names', () => {
      expect(parseMetricNames(' rmse, r2 ,, ')).toEqual(['rmse', 'r2']);
    });
  });
});
