import type { Contents } from '@jupyterlab/services';

import type { StoredRun } from '../store/reader';
import type { IRunStore, Runs } from '../tokens';
import {
  folderOf,
  restoredFileName,
  restoredFrom,
  restoredNotebook,
  siblingPath
} from './nbformat';

/**
 * Reads the snapshots of runs from the run store, and writes one back as a
 * new notebook beside the one the run recorded, through the Contents API.
 * No DOM.
 */
export class SnapshotService {
  constructor(options: SnapshotService.IOptions) {
    this._store = options.store;
    this._contents = options.contents;
  }

  /**
   * The run (as its notebook's run list gives it, with the user's name for
   * it) and its last snapshot, with the problems met on the way.
   *
   * @throws When the server cannot be reached.
   */
  async read(
    notebookPath: string,
    runId: string
  ): Promise<SnapshotService.Reading> {
    const [list, snapshot] = await Promise.all([
      this._store.listRuns(notebookPath),
      this._store.readSnapshot(notebookPath, runId)
    ]);
    const problems = [...snapshot.problems];
    for (const problem of list.problems) {
      if (!problems.includes(problem)) {
        problems.push(problem);
      }
    }
    return {
      run: list.runs.find(run => run.id === runId) ?? null,
      snapshot: snapshot.value,
      problems
    };
  }

  /**
   * The run as its notebook's run list gives it now, or null.
   *
   * @throws When the server cannot be reached.
   */
  async readRun(
    notebookPath: string,
    runId: string
  ): Promise<Runs.RunSummary | null> {
    const list = await this._store.listRuns(notebookPath);
    return list.runs.find(run => run.id === runId) ?? null;
  }

  /**
   * Write a snapshot as a new notebook in the folder of the notebook the run
   * recorded, under a name no file of the folder has, and give its path.
   * It is a plain nbformat 4 notebook: see `restoredNotebook`.
   *
   * @throws When the folder cannot be listed or the file written.
   */
  async saveAsNotebook(source: SnapshotService.Source): Promise<string> {
    const { notebookPath, run, snapshot } = source;
    const path = siblingPath(
      notebookPath,
      restoredFileName(notebookPath, run, await this._namesBeside(notebookPath))
    );
    await this._contents.save(path, {
      type: 'notebook',
      format: 'json',
      content: restoredNotebook(
        snapshot.notebook,
        restoredFrom(notebookPath, run, snapshot.time)
      )
    });
    return path;
  }

  /**
   * The names in the notebook's folder. Asked of the folder's listing rather
   * than by looking up each candidate: a request for a missing file fails
   * with 404, which the browser logs as an error.
   */
  private async _namesBeside(notebookPath: string): Promise<string[]> {
    const listing = await this._contents.get(folderOf(notebookPath), {
      type: 'directory',
      content: true
    });
    const items: Contents.IModel[] = Array.isArray(listing.content)
      ? listing.content
      : [];
    return items.map(item => item.name);
  }

  private readonly _store: IRunStore;
  private readonly _contents: Contents.IManager;
}

export namespace SnapshotService {
  export interface IOptions {
    store: IRunStore;
    /** The app's contents manager (`serviceManager.contents`). */
    contents: Contents.IManager;
  }

  /**
   * What the store holds of a run's snapshot.
   */
  export type Reading = {
    /** Null when the notebook's run list has no such run. */
    readonly run: Runs.RunSummary | null;
    /** The run's last snapshot; null when it has none. */
    readonly snapshot: StoredRun.Snapshot | null;
    readonly problems: readonly string[];
  };

  /**
   * A snapshot to save, with the run it belongs to.
   */
  export type Source = {
    readonly notebookPath: string;
    readonly run: Pick<Runs.RunSummary, 'id' | 'name' | 'startedAt'>;
    readonly snapshot: StoredRun.Snapshot;
  };
}
