import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

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
  };

  /**
   * One recorded run of a notebook.
   *
   * #### Notes
   * Run capture arrives in a later version; until then no run is recorded.
   */
  export type RunRecord = {
    /**
     * Unique identifier of the run.
     */
    readonly id: string;

    /**
     * Path of the notebook, relative to the server root.
     */
    readonly notebookPath: string;

    /**
     * When the run started, as an ISO 8601 timestamp.
     */
    readonly startedAt: string;
  };
}
