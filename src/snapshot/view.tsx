import type { CodeCell, MarkdownCell, RawCell } from '@jupyterlab/cells';
import type {
  CodeEditor,
  IEditorMimeTypeService
} from '@jupyterlab/codeeditor';
import { NotebookModel, StaticNotebook } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { timeText } from '../detail/facts';
import type { Runs } from '../tokens';
import type { SnapshotModel } from './model';

/**
 * A run's last snapshot in the main area: a banner naming the run, with its
 * actions, above the notebook as it stood, rendered by JupyterLab's own
 * notebook widget, read-only and untrusted (no output runs a script).
 */
export class SnapshotView extends Panel {
  constructor(options: SnapshotView.IOptions) {
    super();
    this.addClass('jp-RunSnapshot');
    this.model = options.model;
    this._notebookOptions = options.notebook;
    this._banner = new SnapshotBanner(options);
    this.addWidget(this._banner);
    this.model.stateChanged.connect(this._onStateChanged, this);
    this._onStateChanged();
  }

  /**
   * The model the view renders; the view owns it.
   */
  readonly model: SnapshotModel;

  /**
   * The notebook shown, or null while there is none.
   */
  get notebook(): StaticNotebook | null {
    return this._notebook;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._closeNotebook();
    this.model.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  private _onStateChanged(): void {
    const state = this.model.state;
    if (state.kind !== 'ready' || state.snapshot.notebook.cells.length === 0) {
      this._closeNotebook();
      return;
    }
    if (this._shown === state.snapshot) {
      return;
    }
    this._closeNotebook();
    this._shown = state.snapshot;
    this._showNotebook(state.snapshot);
  }

  private _showNotebook(snapshot: SnapshotModel.Snapshot): void {
    const options = this._notebookOptions;
    const model = new NotebookModel({ disableDocumentWideUndoRedo: true });
    model.fromJSON(snapshot.notebook);
    model.dirty = false;
    model.readOnly = true;
    const notebook = new StaticNotebook({
      rendermime: options.rendermime,
      contentFactory: new ReadOnlyContentFactory({
        editorFactory: options.editorFactory
      }),
      mimeTypeService: options.mimeTypeService,
      editorConfig: options.editorConfig,
      notebookConfig: options.notebookConfig,
      translator: options.translator
    });
    notebook.addClass('jp-RunSnapshot-notebook');
    notebook.model = model;
    this._notebook = notebook;
    this._notebookModel = model;
    this.addWidget(notebook);
  }

  private _closeNotebook(): void {
    this._shown = null;
    // The widget does not own its model: the document context does, here
    // the view.
    this._notebook?.dispose();
    this._notebookModel?.dispose();
    this._notebook = null;
    this._notebookModel = null;
  }

  private readonly _banner: SnapshotBanner;
  private readonly _notebookOptions: SnapshotView.INotebookOptions;
  private _notebook: StaticNotebook | null = null;
  private _notebookModel: NotebookModel | null = null;
  private _shown: SnapshotModel.Snapshot | null = null;
}

export namespace SnapshotView {
  export interface IOptions {
    model: SnapshotModel;
    trans: TranslationBundle;
    notebook: INotebookOptions;
    actions: IActions;
  }

  /**
   * How cells are rendered: the app's services, and the notebook settings.
   */
  export interface INotebookOptions {
    /** Outputs are rendered with it, untrusted. */
    rendermime: IRenderMimeRegistry;
    /** Makes the cells' editors, read-only here. */
    editorFactory: CodeEditor.Factory;
    mimeTypeService: IEditorMimeTypeService;
    /** The user's notebook settings, when known. */
    editorConfig?: StaticNotebook.IEditorConfig;
    notebookConfig?: StaticNotebook.INotebookConfig;
    translator?: ITranslator;
  }

  /**
   * What the banner's buttons do; an action that is absent has no button.
   */
  export interface IActions {
    /** Save the snapshot as a new notebook (and open it). */
    saveAsNotebook: () => void;
    /** Open the run detail view. */
    openRun?: () => void;
    /** Put the snapshot's cells into the working notebook (undoable). */
    restore?: () => void;
    /** Show the run's executions as they happened. */
    asExecuted?: () => void;
    /** Show what changed since the run, in detail. */
    changesSince?: () => void;
    /** Re-run the run in a fresh kernel. */
    rerun?: () => void;
    /** What changed since the run, in a few words, or null. */
    summarizeChanges?: () => Promise<string | null>;
  }
}

/**
 * Makes cells read-only, whatever their `editable` metadata says, without
 * writing that into the model.
 */
class ReadOnlyContentFactory extends StaticNotebook.ContentFactory {
  createCodeCell(options: CodeCell.IOptions): CodeCell {
    return readOnly(super.createCodeCell(options));
  }

  createMarkdownCell(options: MarkdownCell.IOptions): MarkdownCell {
    return readOnly(super.createMarkdownCell(options));
  }

  createRawCell(options: RawCell.IOptions): RawCell {
    return readOnly(super.createRawCell(options));
  }
}

function readOnly<T extends CodeCell | MarkdownCell | RawCell>(cell: T): T {
  // Not synced: a read-only view must not mark the cells uneditable.
  cell.syncEditable = false;
  cell.readOnly = true;
  return cell;
}

/**
 * The banner above the notebook: the run, the snapshot, the actions, and
 * why there is no notebook when there is none.
 */
class SnapshotBanner extends ReactWidget {
  constructor(options: SnapshotView.IOptions) {
    super();
    this.addClass('jp-RunSnapshot-banner');
    this._model = options.model;
    this._trans = options.trans;
    this._actions = options.actions;
    this._model.stateChanged.connect(this._onChanged, this);
    this._model.savingChanged.connect(this._onChanged, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.stateChanged.disconnect(this._onChanged, this);
    this._model.savingChanged.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected render(): React.ReactElement {
    const state = this._model.state;
    const trans = this._trans;
    switch (state.kind) {
      case 'loading':
        return (
          <p className="jp-RunSnapshot-notice">
            {trans.__('Reading the snapshot…')}
          </p>
        );
      case 'error':
        return (
          <p className="jp-RunSnapshot-notice" role="alert">
            {trans.__('The snapshot could not be read: %1', state.message)}
          </p>
        );
      case 'missing':
        return (
          <div className="jp-RunSnapshot-notice" role="alert">
            <p>
              {trans.__(
                'The store holds no run %1 of %2.',
                this._model.runId,
                this._model.notebookPath
              )}
            </p>
            <Problems problems={state.problems} trans={trans} />
          </div>
        );
      case 'empty':
        return (
          <RunBanner run={state.run} snapshotTime={null} {...this._props()}>
            <p className="jp-RunSnapshot-notice" role="alert">
              {trans.__(
                'This run has no snapshot: a snapshot is taken when a run ends, and when its notebook is saved while it runs.'
              )}
            </p>
            <Problems problems={state.problems} trans={trans} />
          </RunBanner>
        );
      case 'ready':
        return (
          <RunBanner
            run={state.run}
            snapshotTime={state.snapshot.time}
            {...this._props()}
          >
            {state.snapshot.notebook.cells.length === 0 && (
              <p className="jp-RunSnapshot-notice">
                {trans.__('The snapshot holds no cells.')}
              </p>
            )}
            <Problems problems={state.problems} trans={trans} />
          </RunBanner>
        );
    }
  }

  private _props(): Omit<BannerProps, 'run' | 'snapshotTime' | 'children'> {
    return {
      changes: this._changes,
      notebookPath: this._model.notebookPath,
      saving: this._model.saving,
      actions: this._actions,
      trans: this._trans
    };
  }

  private _onChanged(): void {
    this.update();
    const summarize = this._actions.summarizeChanges;
    if (summarize && this._model.state.kind === 'ready' && !this._summarizing) {
      // Once per view: what changed since the run, shown with the snapshot.
      this._summarizing = true;
      void summarize()
        .catch(() => null)
        .then(text => {
          this._changes = text;
          this.update();
        });
    }
  }

  private _changes: string | null = null;
  private _summarizing = false;
  private readonly _model: SnapshotModel;
  private readonly _trans: TranslationBundle;
  private readonly _actions: SnapshotView.IActions;
}

type BannerProps = {
  run: Runs.RunSummary;
  /** What changed since the run, in a few words, once known. */
  changes: string | null;
  /** Null when the run has no snapshot. */
  snapshotTime: number | null;
  notebookPath: string;
  saving: boolean;
  actions: SnapshotView.IActions;
  trans: TranslationBundle;
  children?: React.ReactNode;
};

function RunBanner(props: BannerProps): React.ReactElement {
  const { run, snapshotTime, notebookPath, saving, actions, trans } = props;
  return (
    <header
      className="jp-RunSnapshot-header"
      aria-label={trans.__('Snapshot of run %1', run.name)}
    >
      <div className="jp-RunSnapshot-heading">
        <h1 className="jp-RunSnapshot-name">{run.name}</h1>
        <span className={`jp-RunSnapshot-status jp-mod-${run.status}`}>
          {run.status}
        </span>
        <span className="jp-RunSnapshot-readOnly">
          {trans.__('Read-only snapshot')}
        </span>
        <div className="jp-RunSnapshot-actions">
          <ActionButton action={actions.openRun} label={trans.__('Open Run')} />
          <ActionButton
            action={actions.asExecuted}
            label={trans.__('As Executed')}
          />
          <ActionButton action={actions.rerun} label={trans.__('Re-run')} />
          <ActionButton
            action={actions.restore}
            label={trans.__('Restore into Notebook')}
            kind="warn"
            disabled={snapshotTime === null}
            title={trans.__(
              "Replace the notebook's cells with these; the notebook as it is is kept as a restore point"
            )}
          />
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept"
            disabled={snapshotTime === null || saving}
            title={trans.__(
              'Save this snapshot as a new notebook beside the original, and open it'
            )}
            onClick={actions.saveAsNotebook}
          >
            {saving ? trans.__('Saving…') : trans.__('Save as New Notebook')}
          </button>
        </div>
      </div>
      <dl className="jp-RunSnapshot-facts">
        <dt>{trans.__('Started')}</dt>
        <dd>{timeText(run.startedAt)}</dd>
        <dt>{trans.__('Notebook')}</dt>
        <dd>{notebookPath}</dd>
        {snapshotTime !== null && (
          <>
            <dt>{trans.__('Snapshot taken')}</dt>
            <dd>{timeText(snapshotTime)}</dd>
          </>
        )}
      </dl>
      {props.changes !== null && (
        <p className="jp-RunSnapshot-changes">
          {trans.__('Since this run: %1', props.changes)}
          {actions.changesSince && (
            <button
              type="button"
              className="jp-RunSnapshot-link"
              onClick={actions.changesSince}
            >
              {trans.__('What Changed Since')}
            </button>
          )}
        </p>
      )}
      {props.children}
    </header>
  );
}

/**
 * A banner button for an action other plugins give; nothing when absent.
 */
function ActionButton(props: {
  action: (() => void) | undefined;
  label: string;
  kind?: 'reject' | 'warn';
  disabled?: boolean;
  title?: string;
}): React.ReactElement | null {
  const { action, label, kind = 'reject', disabled, title } = props;
  if (!action) {
    return null;
  }
  return (
    <button
      type="button"
      className={`jp-mod-styled jp-mod-${kind}`}
      disabled={disabled}
      title={title}
      onClick={action}
    >
      {label}
    </button>
  );
}

function Problems(props: {
  problems: readonly string[];
  trans: TranslationBundle;
}): React.ReactElement | null {
  if (props.problems.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-RunSnapshot-problems"
      aria-label={props.trans.__('Problems')}
    >
      {props.problems.map((problem, index) => (
        <li key={index}>{problem}</li>
      ))}
    </ul>
  );
}
