import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CellDiffs, EnvDiffTable } from '../compare/diffs';
import { summarizeCells, summarizeEnvironment } from '../compare/summary';
import type { ExecutedStep } from './executed';
import { hiddenStateCounts } from './executed';
import type { ProvenanceModel } from './model';

/**
 * Which part of the view to bring into sight when it opens.
 */
export type ProvenanceSection = 'executed' | 'changes';

/**
 * A run's provenance in the main area: what changed since it (notebook
 * cells by id, environment), and its executions in the order they really
 * happened, marked where they hide state. Stored text renders as text.
 */
export class ProvenanceView extends ReactWidget {
  constructor(options: ProvenanceView.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this.section = options.section;
    this.addClass('jp-RunsProvenance');
    this.model.stateChanged.connect(this._onStateChanged, this);
  }

  readonly model: ProvenanceModel;

  /**
   * The section in sight; set it to scroll another into view.
   */
  section: ProvenanceSection;

  /**
   * Bring `section` into view.
   */
  reveal(section: ProvenanceSection): void {
    this.section = section;
    const target = this.node.querySelector<HTMLElement>(
      `[data-section="${section}"]`
    );
    if (target) {
      // The view itself scrolls: bring the section to its top.
      this.node.scrollTop +=
        target.getBoundingClientRect().top -
        this.node.getBoundingClientRect().top;
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): React.ReactElement {
    const state = this.model.state;
    const trans = this._trans;
    switch (state.kind) {
      case 'loading':
        return (
          <p className="jp-RunsProvenance-notice">
            {trans.__('Reading the run…')}
          </p>
        );
      case 'error':
        return (
          <p className="jp-RunsProvenance-notice" role="alert">
            {trans.__('The run could not be read: %1', state.message)}
          </p>
        );
      case 'missing':
        return (
          <p className="jp-RunsProvenance-notice" role="alert">
            {trans.__(
              'Run %1 of %2 is not in the store.',
              this.model.runId,
              this.model.notebookPath
            )}
          </p>
        );
      default:
        return <Provenance state={state} trans={trans} />;
    }
  }

  private async _onStateChanged(): Promise<void> {
    this.update();
    await this.renderPromise;
    if (this.model.state.kind === 'ready') {
      this.reveal(this.section);
    }
  }

  private readonly _trans: TranslationBundle;
}

export namespace ProvenanceView {
  export interface IOptions {
    model: ProvenanceModel;
    trans: TranslationBundle;
    section: ProvenanceSection;
  }
}

type Ready = Extract<ProvenanceModel.State, { kind: 'ready' }>;

function Provenance(props: {
  state: Ready;
  trans: TranslationBundle;
}): React.ReactElement {
  const { state, trans } = props;
  return (
    <article className="jp-RunsProvenance-body">
      <h1>{state.run.name}</h1>
      {state.problems.length > 0 && (
        <ul className="jp-RunsProvenance-problems">
          {state.problems.map((problem, index) => (
            <li key={index}>{problem}</li>
          ))}
        </ul>
      )}
      <ChangesSince state={state} trans={trans} />
      <AsExecuted steps={state.steps} trans={trans} />
    </article>
  );
}

/**
 * The run's cells against the notebook now, and its environment against
 * the kernel's now.
 */
export function ChangesSince(props: {
  state: Ready;
  trans: TranslationBundle;
}): React.ReactElement {
  const { state, trans } = props;
  const { cells, env, environment, current } = state;
  return (
    <section
      className="jp-RunsProvenance-section"
      data-section="changes"
      aria-label={trans.__('What changed since')}
    >
      <h2>{trans.__('What changed since')}</h2>
      <h3>{trans.__('Notebook')}</h3>
      <p className="jp-RunsProvenance-summary">
        {cells === null
          ? trans.__(
              'The run has no notebook snapshot: compare its executions below.'
            )
          : current.from === 'missing'
            ? trans.__('The notebook no longer exists.')
            : `${summarizeCells(cells, trans)} — ${
                current.from === 'open'
                  ? trans.__(
                      'against the open notebook, unsaved changes included'
                    )
                  : trans.__('against the notebook file')
              }`}
      </p>
      {cells && <CellDiffs diff={cells} trans={trans} />}
      <h3>{trans.__('Environment')}</h3>
      <p className="jp-RunsProvenance-summary">
        {env === null || environment.run === null
          ? trans.__(
              'No environment to compare with: no kernel of this notebook has been recorded.'
            )
          : `${summarizeEnvironment(env, trans)} — ${
              environment.from === 'kernel'
                ? trans.__(
                    "against the notebook's kernel now (run %1)",
                    environment.run.name
                  )
                : trans.__(
                    "against the notebook's latest run, %1",
                    environment.run.name
                  )
            }`}
      </p>
      {env && <EnvDiffTable diff={env} trans={trans} />}
    </section>
  );
}

/**
 * The executions in the order they happened, with what hides state marked.
 */
function AsExecuted(props: {
  steps: readonly ExecutedStep[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { steps, trans } = props;
  const counts = hiddenStateCounts(steps);
  return (
    <section
      className="jp-RunsProvenance-section"
      data-section="executed"
      aria-label={trans.__('As executed')}
    >
      <h2>{trans.__('As executed')}</h2>
      <p className="jp-RunsProvenance-summary">
        {[
          trans._n('%1 execution', '%1 executions', steps.length),
          trans._n('%1 out of order', '%1 out of order', counts.outOfOrder),
          trans._n(
            '%1 edited after it ran',
            '%1 edited after they ran',
            counts.editedAfterRun
          ),
          trans._n('%1 edited since', '%1 edited since', counts.editedSince),
          trans._n('%1 deleted since', '%1 deleted since', counts.deletedSince)
        ].join(trans.__(', '))}
      </p>
      <ol className="jp-RunsProvenance-steps">
        {steps.map(step => (
          <Step key={step.exec} step={step} trans={trans} />
        ))}
      </ol>
    </section>
  );
}

function Step(props: {
  step: ExecutedStep;
  trans: TranslationBundle;
}): React.ReactElement {
  const { step, trans } = props;
  const marks: [string, string][] = [];
  if (step.inherited) {
    marks.push(['inherited', trans.__('before the run: built its state')]);
  }
  if (step.outOfOrder) {
    marks.push(['outOfOrder', trans.__('ran out of order')]);
  }
  if (step.editedAfterRun) {
    marks.push(['editedAfterRun', trans.__('edited after it ran')]);
  }
  if (step.now === 'edited') {
    marks.push(['editedSince', trans.__('edited since')]);
  } else if (step.now === 'deleted') {
    marks.push(['deletedSince', trans.__('deleted since')]);
  }
  if (step.outcome !== 'ok') {
    marks.push(['outcome', step.outcome]);
  }
  return (
    <li
      className={`jp-RunsProvenance-step${marks.length ? ' jp-mod-marked' : ''}`}
    >
      <div className="jp-RunsProvenance-stepHeader">
        <span className="jp-RunsProvenance-count">
          [{step.executionCount ?? ' '}]
        </span>
        <span>
          {step.position === null
            ? trans.__('cell %1', step.cellId ?? '?')
            : trans.__('cell %1 of the notebook', step.position + 1)}
        </span>
        {marks.map(([kind, text]) => (
          <span key={kind} className={`jp-RunsProvenance-mark jp-mod-${kind}`}>
            {text}
          </span>
        ))}
      </div>
      <pre className="jp-RunsProvenance-source">{step.source}</pre>
    </li>
  );
}
