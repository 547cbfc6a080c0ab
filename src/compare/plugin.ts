import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager, MainAreaWidget } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { chartsViewTracker } from '../charts/widget';
import { runsIcon } from '../icons';
import { openView } from '../shell';
import { IRunStore } from '../tokens';
import type { RunRef } from './model';
import { ComparisonModel, MAX_RUNS, MIN_RUNS } from './model';
import type { ComparisonView } from './view';

/**
 * Command ids of the comparison.
 */
export namespace CommandIDs {
  export const compareRuns = 'jupyterlab-runs:compare-runs';
}

/**
 * Compares 2 to 50 recorded runs in the main area.
 */
export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:compare',
  description:
    'Compares 2 to 50 recorded runs: parameters and metrics side by side, overlaid metric charts, and code and package diffs.',
  autoStart: true,
  requires: [IRunStore],
  optional: [ITranslator, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    translator: ITranslator | null,
    themes: IThemeManager | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const tracker = chartsViewTracker<ComparisonView>(
      'jupyterlab-runs-compare',
      themes
    );
    let count = 0;

    app.commands.addCommand(CommandIDs.compareRuns, {
      label: trans.__('Compare Runs'),
      caption: trans.__('Compare 2 to 50 recorded runs side by side'),
      icon: runsIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runs: {
              type: 'array',
              description: trans.__('The runs: their notebook path and id'),
              minItems: MIN_RUNS,
              maxItems: MAX_RUNS,
              items: {
                type: 'object',
                properties: {
                  notebookPath: { type: 'string' },
                  runId: { type: 'string' }
                },
                required: ['notebookPath', 'runId']
              }
            }
          },
          required: ['runs']
        }
      },
      isEnabled: args => isComparable(args.runs),
      execute: async args => {
        if (!isComparable(args.runs)) {
          throw new Error(
            trans.__(
              'Choose from %1 to %2 runs to compare.',
              MIN_RUNS,
              MAX_RUNS
            )
          );
        }
        // The view and its chart code load with the first comparison.
        const { ComparisonView } = await import('./view');
        const model = new ComparisonModel({ store, runs: args.runs });
        const content = new ComparisonView({ model, trans });
        const widget = new MainAreaWidget({ content });
        widget.id = `jupyterlab-runs-compare-${++count}`;
        widget.title.label = trans.__('Compare %1 runs', args.runs.length);
        widget.title.icon = runsIcon;
        model.stateChanged.connect((_, state) => {
          if (state.kind === 'ready') {
            // Which runs, oldest (the base) first.
            const names = state.runs.map(run => run.name);
            widget.title.label =
              names.length === 2
                ? trans.__('Compare %1 → %2', names[0], names[1])
                : trans.__(
                    'Compare %1 → %2 and %3 more',
                    names[0],
                    names[1],
                    names.length - 2
                  );
            widget.title.caption = names.join('\n');
          }
        });
        void model.refresh();
        openView(app, widget);
        await tracker.add(widget);
        return widget;
      }
    });
  }
};

function isComparable(value: unknown): value is RunRef[] {
  return (
    Array.isArray(value) &&
    value.length >= MIN_RUNS &&
    value.length <= MAX_RUNS &&
    value.every(
      ref =>
        typeof ref?.notebookPath === 'string' && typeof ref?.runId === 'string'
    )
  );
}
