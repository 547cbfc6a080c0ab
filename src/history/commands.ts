import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import type { IDisposable } from '@lumino/disposable';
import { DisposableSet } from '@lumino/disposable';

import { inPalette } from '../commands';
import type { Runs } from '../tokens';
import type { IRunDialogs } from './dialogs';
import { describeRun, labDialogs, menuName } from './dialogs';
import { RunsPanelModel } from './model';

export type { IRunDialogs } from './dialogs';
export { labDialogs } from './dialogs';

/**
 * Command ids of the run actions; the context menu and the palette list them
 * (schema/history.json).
 */
namespace CommandIDs {
  export const openRun = 'jupyterlab-runs:open-selected-run';
  export const compareRuns = 'jupyterlab-runs:compare-selected-runs';
  export const pinRun = 'jupyterlab-runs:pin-run';
  export const renameRun = 'jupyterlab-runs:rename-run';
  export const tagRun = 'jupyterlab-runs:tag-run';
  export const noteRun = 'jupyterlab-runs:note-run';
  export const archiveRun = 'jupyterlab-runs:archive-run';
  export const deleteRun = 'jupyterlab-runs:delete-run';
  export const chooseMetrics = 'jupyterlab-runs:choose-metrics';
  export const toggleArchived = 'jupyterlab-runs:toggle-archived';
  export const toggleAllNotebooks = 'jupyterlab-runs:toggle-all-notebooks';
  export const openSnapshot = 'jupyterlab-runs:open-selected-snapshot';
  export const restoreRun = 'jupyterlab-runs:restore-selected-run';
  export const rerunRun = 'jupyterlab-runs:rerun-selected-run';
  export const showAsExecuted = 'jupyterlab-runs:show-selected-as-executed';
  export const showChanges = 'jupyterlab-runs:show-selected-changes-since';
}

/**
 * The ids of the commands `addRunCommands` adds, for the palette.
 */
export const RUN_COMMANDS: readonly string[] = Object.values(CommandIDs);

/**
 * Reads what the user typed in the Tag… dialog: `name=value` sets a tag,
 * `name=` removes it; a name alone sets it to the empty text. `null` when
 * there is no name.
 */
export function parseTagInput(
  text: string
): Readonly<Record<string, string | null>> | null {
  const equals = text.indexOf('=');
  const name = (equals < 0 ? text : text.slice(0, equals)).trim();
  if (!name) {
    return null;
  }
  if (equals < 0) {
    return { [name]: '' };
  }
  const value = text.slice(equals + 1).trim();
  return { [name]: value === '' ? null : value };
}

/**
 * Splits the Choose Metrics… answer: names separated by commas.
 */
export function parseMetricNames(text: string): string[] {
  return text
    .split(',')
    .map(name => name.trim())
    .filter(name => name !== '');
}

const NO_ARGS = { args: { type: 'object', properties: {} } } as const;

/**
 * The comparison's command and its bounds (src/compare/plugin.ts).
 */
const COMPARE_COMMAND = 'jupyterlab-runs:compare-runs';

/**
 * The commands of other plugins that take one run ({notebookPath, runId}),
 * and the sidebar's commands that give them the selected run: id, the
 * other plugin's command, label, label naming the run (when several are
 * selected), caption.
 */
function delegatedCommands(
  trans: TranslationBundle
): (readonly [string, string, string, (name: string) => string, string])[] {
  return [
    [
      CommandIDs.openSnapshot,
      'jupyterlab-runs:open-snapshot',
      trans.__('Open Snapshot'),
      name => trans.__('Open Snapshot of %1', name),
      trans.__('Open the notebook as the selected run left it, read-only')
    ],
    [
      CommandIDs.showAsExecuted,
      'jupyterlab-runs:show-as-executed',
      trans.__('As Executed'),
      name => trans.__('%1 As Executed', name),
      trans.__(
        "The selected run's executions in the order they really happened"
      )
    ],
    [
      CommandIDs.showChanges,
      'jupyterlab-runs:show-changes-since',
      trans.__('What Changed Since'),
      name => trans.__('What Changed Since %1', name),
      trans.__(
        "The selected run's notebook and environment against the ones now"
      )
    ],
    [
      CommandIDs.rerunRun,
      'jupyterlab-runs:rerun',
      trans.__('Re-run in a Fresh Kernel'),
      name => trans.__('Re-run %1 in a Fresh Kernel', name),
      trans.__(
        'Execute the selected run again in a new kernel and say whether it reproduced'
      )
    ],
    [
      CommandIDs.restoreRun,
      'jupyterlab-runs:restore-snapshot',
      trans.__('Restore into This Notebook'),
      name => trans.__('Restore %1 into This Notebook', name),
      trans.__(
        "Replace the notebook's cells with the selected run's; the notebook as it was is kept as a restore point"
      )
    ]
  ];
}
const COMPARE_MIN = 2;
const COMPARE_MAX = 50;

/**
 * Adds the commands acting on the selected run of the Runs table (pin,
 * rename, tag, note, archive, delete) and on the table itself.
 */
export function addRunCommands(
  commands: CommandRegistry,
  model: RunsPanelModel,
  trans: TranslationBundle,
  dialogs: IRunDialogs = labDialogs(trans)
): IDisposable {
  const disposables = new DisposableSet();
  const hasRun = () => !model.isDisposed && model.selectedRun !== null;

  /**
   * A single-run label: as it is for one selected run; naming the run it
   * acts on (the focused one) when several are selected.
   */
  const named = (plain: () => string, withName: (name: string) => string) =>
    inPalette(trans, () => {
      const run = model.isDisposed ? null : model.selectedRun;
      return run && model.selectedRuns.length > 1
        ? withName(menuName(run))
        : plain();
    });

  /**
   * A single-run caption, or why the action is off: several runs are
   * selected and the focus is on none of them.
   */
  const runCaption = (caption: string) => () => {
    const count = model.isDisposed ? 0 : model.selectedRuns.length;
    return count > 1 && model.selectedRun === null
      ? trans.__(
          '%1 runs are selected and the focus is on none of them: move the focus to one of them (Ctrl/Cmd+Arrow keys, or click it) to act on it alone.',
          count
        )
      : caption;
  };

  /**
   * Runs an action on the selected run, saying when the store refused it.
   */
  const onSelected =
    (action: (run: Runs.RunSummary) => Promise<void>) =>
    async (): Promise<void> => {
      const run = model.selectedRun;
      if (!run) {
        return;
      }
      try {
        await action(run);
      } catch (reason) {
        await dialogs.error(trans.__('The run could not be changed'), reason);
      }
    };

  disposables.add(
    commands.addCommand(CommandIDs.openRun, {
      label: named(
        () => trans.__('Open Run'),
        name => trans.__('Open %1', name)
      ),
      caption: runCaption(trans.__('Open the selected run in the main area')),
      isEnabled: hasRun,
      execute: () => {
        const run = model.selectedRun;
        if (run) {
          model.open(run);
        }
      },
      describedBy: NO_ARGS
    })
  );

  /** The selected run as the other plugins' commands take it. */
  const selectedArgs = () => {
    const run = model.isDisposed ? null : model.selectedRun;
    return run ? { notebookPath: run.notebookPath, runId: run.id } : null;
  };
  for (const [id, target, label, withName, caption] of delegatedCommands(
    trans
  )) {
    // The other plugin's command decides whether it can act on the run (a
    // shared notebook cannot be restored into) and then says why not.
    const targetEnabled = () => {
      const args = selectedArgs();
      return (
        args !== null &&
        commands.hasCommand(target) &&
        commands.isEnabled(target, args)
      );
    };
    const ownCaption = runCaption(caption);
    disposables.add(
      commands.addCommand(id, {
        label: named(() => label, withName),
        caption: () => {
          const args = selectedArgs();
          return args && commands.hasCommand(target) && !targetEnabled()
            ? commands.caption(target, args) || caption
            : ownCaption();
        },
        isEnabled: targetEnabled,
        execute: async () => {
          const args = selectedArgs();
          if (args) {
            await commands.execute(target, args);
          }
        },
        describedBy: NO_ARGS
      })
    );
  }

  const comparable = () =>
    !model.isDisposed &&
    model.selectedRuns.length >= COMPARE_MIN &&
    model.selectedRuns.length <= COMPARE_MAX;
  disposables.add(
    commands.addCommand(CommandIDs.compareRuns, {
      label: inPalette(trans, () =>
        trans.__('Compare %1 Selected Runs', model.selectedRuns.length)
      ),
      caption: trans.__(
        'Compare the selected runs (select 2 to 50 with Ctrl/Cmd- or Shift-click)'
      ),
      isEnabled: comparable,
      execute: () => {
        if (!comparable()) {
          return;
        }
        return commands.execute(COMPARE_COMMAND, {
          runs: model.selectedRuns.map(run => ({
            notebookPath: run.notebookPath,
            runId: run.id
          }))
        });
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.pinRun, {
      label: named(
        () =>
          model.selectedRun?.pinned
            ? trans.__('Unpin Run')
            : trans.__('Pin Run'),
        name =>
          model.selectedRun?.pinned
            ? trans.__('Unpin %1', name)
            : trans.__('Pin %1', name)
      ),
      caption: runCaption(
        trans.__('Keep the selected run at the top of the table')
      ),
      isEnabled: hasRun,
      isToggled: () => model.selectedRun?.pinned === true,
      execute: onSelected(run => model.updateRun(run, { pinned: !run.pinned })),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.renameRun, {
      label: named(
        () => trans.__('Rename Run…'),
        name => trans.__('Rename %1…', name)
      ),
      caption: runCaption(trans.__('Give the selected run another name')),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Rename Run'),
          trans.__('New name'),
          run.name
        );
        const name = text?.trim();
        if (text !== null && !name) {
          await dialogs.error(
            trans.__('The run was not renamed'),
            trans.__(
              'A run needs a name: "%1" keeps its name. Type at least one character that is not a space.',
              run.name
            )
          );
        } else if (name && name !== run.name) {
          await model.updateRun(run, { name });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.tagRun, {
      label: named(
        () => trans.__('Tag Run…'),
        name => trans.__('Tag %1…', name)
      ),
      caption: runCaption(trans.__('Set or remove a tag of the selected run')),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Tag Run'),
          trans.__('Tag as name=value (name= removes it)'),
          ''
        );
        const tags = text === null ? null : parseTagInput(text);
        if (tags) {
          await model.updateRun(run, { tags });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.noteRun, {
      label: named(
        () => trans.__('Note…'),
        name => trans.__('Note on %1…', name)
      ),
      caption: runCaption(trans.__('Write a note on the selected run')),
      isEnabled: hasRun,
      execute: onSelected(async run => {
        const text = await dialogs.getText(
          trans.__('Note on Run'),
          trans.__('Note (empty removes it)'),
          run.note ?? ''
        );
        if (text === null) {
          return;
        }
        const note = text.trim() === '' ? null : text;
        if (note !== run.note) {
          await model.updateRun(run, { note });
        }
      }),
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.archiveRun, {
      label: named(
        () =>
          model.selectedRun?.archived
            ? trans.__('Unarchive Run')
            : trans.__('Archive Run'),
        name =>
          model.selectedRun?.archived
            ? trans.__('Unarchive %1', name)
            : trans.__('Archive %1', name)
      ),
      caption: runCaption(
        trans.__('Hide the selected run unless archived runs are shown')
      ),
      isEnabled: hasRun,
      execute: onSelected(run =>
        model.updateRun(run, { archived: !run.archived })
      ),
      describedBy: NO_ARGS
    })
  );

  // Delete acts on every selected run, and can be undone for a while: the
  // store's delete cannot, so the model holds it until then.
  const deletable = () => {
    const runs = model.isDisposed ? [] : model.selectedRuns;
    return runs.length > 0 && runs.every(run => run.status !== 'running');
  };
  disposables.add(
    commands.addCommand(CommandIDs.deleteRun, {
      label: inPalette(trans, () => {
        const count = model.isDisposed ? 0 : model.selectedRuns.length;
        return count > 1
          ? trans.__('Delete %1 Runs…', count)
          : trans.__('Delete Run…');
      }),
      caption: () =>
        !model.isDisposed &&
        model.selectedRuns.some(run => run.status === 'running')
          ? trans.__(
              'A running run cannot be deleted: stop it (interrupt, restart or shut down its kernel) first.'
            )
          : trans.__(
              'Delete the selected runs and everything they recorded; Undo brings them back for a few seconds'
            ),
      isEnabled: deletable,
      execute: async () => {
        if (!deletable()) {
          return;
        }
        const runs = model.selectedRuns;
        const lines = runs.map(run => describeRun(run, trans));
        const confirmed = await dialogs.confirm(
          runs.length === 1
            ? trans.__('Delete Run')
            : trans.__('Delete %1 Runs', runs.length),
          runs.length === 1
            ? trans.__('Delete this run and everything it recorded?')
            : trans.__(
                'Delete these %1 runs and everything they recorded?',
                runs.length
              ),
          trans.__('Delete'),
          lines
        );
        if (!confirmed || model.isDisposed) {
          return;
        }
        const deletion = model.deleteRuns(runs);
        const withdraw = dialogs.offerUndo(
          runs.length === 1
            ? trans.__('Deleted the run %1.', lines[0])
            : trans.__('Deleted %1 runs.', runs.length),
          () => deletion.undo(),
          RunsPanelModel.UNDO_DELETE_FOR
        );
        // Once too late to undo (the runs are deleted, or came back), the
        // offer goes; the runs the store refused are back, and it says why.
        void deletion.finished.then(withdraw, reason => {
          withdraw();
          return dialogs.error(
            trans.__('The run could not be deleted'),
            reason
          );
        });
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.chooseMetrics, {
      label: inPalette(trans, () => trans.__('Choose Metric Columns…')),
      caption: trans.__(
        'Choose the metrics shown as columns of the Runs table, for this notebook'
      ),
      isEnabled: () => !model.isDisposed && model.canChooseMetrics,
      execute: async () => {
        const text = await dialogs.getText(
          trans.__('Metric Columns'),
          trans.__(
            'Metric names, separated by commas (empty: the first logged)'
          ),
          model.primaryMetrics.join(', ')
        );
        if (text === null) {
          return;
        }
        try {
          await model.choosePrimaryMetrics(parseMetricNames(text));
        } catch (reason) {
          await dialogs.error(
            trans.__('The metric columns could not be saved'),
            reason
          );
        }
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.toggleArchived, {
      label: inPalette(trans, () => trans.__('Show Archived Runs')),
      caption: trans.__('Show the archived runs in the Runs table'),
      isEnabled: () => !model.isDisposed,
      isToggled: () => model.showArchived,
      execute: () => {
        model.showArchived = !model.showArchived;
      },
      describedBy: NO_ARGS
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.toggleAllNotebooks, {
      label: inPalette(trans, () => trans.__('Show Runs of All Notebooks')),
      caption: trans.__(
        'Show the runs of every notebook, not only the active one'
      ),
      isEnabled: () => !model.isDisposed,
      isToggled: () => model.allNotebooks,
      execute: () => {
        model.allNotebooks = !model.allNotebooks;
      },
      describedBy: NO_ARGS
    })
  );

  // Labels and toggles follow the selection and the model's switches; the
  // clock ticks change neither, so they do not refresh menus and palette.
  let shown = '';
  const onChange = () => {
    const run = model.selectedRun;
    const selected = model.selectedRuns;
    const now = [
      model.selectedKey,
      run?.id,
      run?.name,
      selected.length,
      selected.some(shown => shown.status === 'running'),
      run?.pinned,
      run?.archived,
      model.showArchived,
      model.allNotebooks,
      model.canChooseMetrics
    ].join('|');
    if (now !== shown) {
      shown = now;
      commands.notifyCommandChanged();
    }
  };
  model.stateChanged.connect(onChange);
  disposables.add({
    isDisposed: false,
    dispose() {
      model.stateChanged.disconnect(onChange);
    }
  });
  return disposables;
}
