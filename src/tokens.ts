import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type { StoredRun } from './store/reader';

/**
 * The validated configuration of jupyterlab-runs and its changes.
 */
export interface IRunsSettings {
  /**
   * The current configuration, already checked and completed with defaults.
   */
  readonly config: Runs.Config;

  /**
   * Emitted with the new configuration whenever it changes.
   */
  readonly changed: ISignal<IRunsSettings, Runs.Config>;
}

/**
 * The token of the settings service.
 */
export const IRunsSettings = new Token<IRunsSettings>(
  'jupyterlab-runs:IRunsSettings',
  'A service exposing the validated jupyterlab-runs configuration (where runs are stored, whether tracking is on) and a signal emitted when it changes.'
);

/**
 * Types shared by the jupyterlab-runs plugins.
 */
export namespace Runs {
  /**
   * The user configuration, once validated.
   */
  export type Config = {
    /**
     * Folder holding the run records, relative to the server root.
     */
    readonly storeFolder: string;

    /**
     * Whether notebook runs are recorded.
     */
    readonly trackingEnabled: boolean;

    /**
     * Environment variables whose values are recorded; only the names of the
     * others are.
     */
    readonly envAllowlist: readonly string[];

    /**
     * Extra regular expressions (Python syntax, searched ignoring case) for
     * the names of metrics read from `name: value` and `name = value` lines
     * a cell prints.
     */
    readonly metricPatterns: readonly string[];

    /**
     * The largest output of one execution that is stored whole, in bytes.
     */
    readonly outputCapBytes: number;
  };

  /**
   * How a run ended, or `running` while it goes on. See docs/CAPTURE.md.
   */
  export type RunStatus =
    'running' | 'finished' | 'failed' | 'interrupted' | 'crashed';

  /**
   * A JSON scalar: what a parameter value can be.
   */
  export type Scalar = string | number | boolean | null;

  /**
   * One event sent by the kernel helper, already redacted; the shapes per
   * `kind` are listed in docs/CAPTURE.md.
   */
  export type KernelEvent = {
    readonly seq: number;
    readonly time: number;
    readonly kind: string;
    readonly run?: string;
    readonly [field: string]: unknown;
  };

  /**
   * What the frontend adds to an execution the kernel reported: the outputs as
   * displayed, already redacted and size-capped.
   */
  export type ExecutionOutputs = {
    readonly run: string;
    readonly exec: number;
    readonly outputs: readonly Record<string, unknown>[];
  };

  /**
   * The notebook as it stood at a moment of a run: enough to reopen it.
   */
  export type NotebookSnapshot = {
    readonly run: string;
    /** Epoch milliseconds. */
    readonly time: number;
    /** The notebook's nbformat JSON, outputs redacted and size-capped. */
    readonly notebook: Record<string, unknown>;
  };

  /**
   * One line of a notebook's run list: what the sidebar shows without
   * opening the run.
   */
  export type RunSummary = {
    readonly id: string;
    readonly name: string;
    readonly notebookPath: string;
    readonly status: RunStatus;
    /** Epoch milliseconds. */
    readonly startedAt: number;
    readonly endedAt: number | null;
    readonly params: Readonly<Record<string, Scalar>>;
    /** The last value of each metric. */
    readonly metrics: Readonly<Record<string, number | null>>;
    /** Tags from `runs.set_tag` and from the user. */
    readonly tags: Readonly<Record<string, string>>;
    /** The run's note (`runs.note` or the user's), or null. */
    readonly note: string | null;
    /** Pinned runs stay at the top of the list. */
    readonly pinned: boolean;
    /** Archived runs are hidden unless asked for. */
    readonly archived: boolean;
  };

  /**
   * A change the user makes to a run from the sidebar; absent fields stay.
   */
  export type RunChange = {
    readonly name?: string;
    readonly note?: string | null;
    /** Tags to set; a null value removes the tag. */
    readonly tags?: Readonly<Record<string, string | null>>;
    readonly pinned?: boolean;
    readonly archived?: boolean;
  };

  /**
   * The run going on in a notebook's kernel, as its events report it.
   */
  export type ActiveRun = {
    readonly id: string;
    readonly name: string;
    readonly status: RunStatus;
    /** How many distinct parameters the run recorded so far. */
    readonly paramsCount: number;
    /** How many distinct metrics the run recorded so far. */
    readonly metricsCount: number;
  };

  /**
   * The runs of a notebook that could be read, and one line per stored item
   * that could not.
   */
  export type RunList = {
    readonly runs: readonly RunSummary[];
    readonly problems: readonly string[];
    /**
     * Set when the server could not be reached: why. The runs are then
     * those this browser read last.
     */
    readonly offline?: string;
  };

  /**
   * Whether what the store records reaches the store folder.
   */
  export type StoreHealth = {
    /**
     * `saving`: writes land. `offline`: the server cannot be reached; writes
     * wait in this browser. `refused`: the server answers writes with an
     * error (a read-only folder, a full disk); saving is paused, writes wait
     * in this browser and are tried again.
     */
    readonly writes: 'saving' | 'offline' | 'refused';
    /** Why writes do not land, in the server's or the browser's words. */
    readonly reason: string | null;
    /** The store file whose write was refused, for `refused`. */
    readonly path: string | null;
    /** Since when writes do not land (ms since the epoch). */
    readonly since: number | null;
    /**
     * Why writes waiting for the server would not survive a reload (the
     * browser's IndexedDB is unavailable or full), or null.
     */
    readonly localProblem: string | null;
  };
}

/**
 * Reads and writes recorded runs in the store folder on the Jupyter server,
 * through the Contents API. Writes are batched and ordered; nothing is ever
 * written outside the store folder. See docs/FORMAT.md.
 */
export interface IRunStore {
  /**
   * Adds kernel events of one notebook (in `seq` order, possibly replayed:
   * events already stored are ignored).
   */
  addEvents(notebookPath: string, events: readonly Runs.KernelEvent[]): void;

  /**
   * Adds the displayed outputs of one execution.
   */
  addOutputs(notebookPath: string, outputs: Runs.ExecutionOutputs): void;

  /**
   * Stores a notebook snapshot for a run (at run end and when the notebook is
   * saved).
   */
  saveSnapshot(notebookPath: string, snapshot: Runs.NotebookSnapshot): void;

  /**
   * Ends a running run whose kernel went away without saying so: `finished`
   * after a restart or shutdown, `crashed` when the kernel died. A run that
   * already ended keeps its status.
   */
  endRun(
    notebookPath: string,
    runId: string,
    status: 'finished' | 'crashed'
  ): void;

  /**
   * The highest kernel event `seq` stored for a kernel session, or 0: where a
   * reconnecting frontend asks the kernel to resume.
   */
  lastStoredSeq(notebookPath: string, session: string): Promise<number>;

  /**
   * Resolves when everything added so far is written.
   */
  flush(): Promise<void>;

  /**
   * A whole run as the store holds it (docs/FORMAT.md), null when unknown,
   * with the problems met while reading it; see `StoredRun.ReadOptions`.
   */
  readRun(
    notebookPath: string,
    runId: string,
    options?: StoredRun.ReadOptions
  ): Promise<StoredRun.Result<StoredRun.Run | null>>;

  /**
   * The notebook snapshots of a run, oldest first, each the whole notebook
   * as nbformat JSON (empty when the run has none or is unknown), with the
   * problems met while reading them.
   */
  readSnapshots(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot[]>>;

  /**
   * The notebook as a run left it: its last snapshot, whole, as nbformat
   * JSON; null when the run has none.
   */
  readSnapshot(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot | null>>;

  /**
   * The runs of a notebook, newest first.
   */
  listRuns(notebookPath: string): Promise<Runs.RunList>;

  /**
   * Apply the user's change to a run: rename, note, tags, pin, archive.
   */
  updateRun(
    notebookPath: string,
    runId: string,
    change: Runs.RunChange
  ): Promise<void>;

  /**
   * Delete a run: it leaves every list at once.
   */
  deleteRun(notebookPath: string, runId: string): Promise<void>;

  /**
   * The paths of the notebooks the store holds runs of.
   */
  listNotebooks(): Promise<string[]>;

  /**
   * The run list of a notebook as this browser last read it (IndexedDB),
   * or null: something to show at once while `listRuns` asks the server.
   */
  cachedRuns(notebookPath: string): Promise<Runs.RunList | null>;

  /**
   * Another page changed the notebook's runs (a collaborator's page on the
   * same notebook says its writes landed): emit `runsChanged`, so that this
   * page's views read them again. Nothing is read or written.
   */
  changedElsewhere(notebookPath: string): void;

  /**
   * Emitted with the notebook path whenever that notebook's runs changed.
   */
  readonly runsChanged: ISignal<IRunStore, string>;

  /**
   * Whether writes reach the store folder now.
   */
  readonly health: Runs.StoreHealth;

  /**
   * Emitted when `health` changed.
   */
  readonly healthChanged: ISignal<IRunStore, Runs.StoreHealth>;

  /**
   * Try the writes waiting for the server now, instead of after the
   * current wait between attempts.
   */
  retryNow(): void;
}

/**
 * The token of the run store.
 */
export const IRunStore = new Token<IRunStore>(
  'jupyterlab-runs:IRunStore',
  'Reads and writes recorded notebook runs in the store folder on the Jupyter server.'
);

/**
 * The run active in each open notebook's kernel, as run capture follows it.
 */
export interface IActiveRuns {
  /**
   * The run active in the kernel of the notebook at `notebookPath` (or the
   * last one it ran, with its final status), or `null` when none is known.
   */
  get(notebookPath: string): Runs.ActiveRun | null;

  /**
   * Emitted with a notebook path whenever that notebook's active run changed.
   */
  readonly changed: ISignal<IActiveRuns, string>;
}

/**
 * The token of the active runs.
 */
export const IActiveRuns = new Token<IActiveRuns>(
  'jupyterlab-runs:IActiveRuns',
  'The run active in the kernel of each open notebook, and a signal emitted when one changes.'
);
