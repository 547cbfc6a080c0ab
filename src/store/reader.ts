import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';
import type { StoreFormat } from './format';
import { checkIndexRow, parseStoreFile } from './format';
import type { StoreLayout } from './paths';
import { sortRows } from './rows';

/**
 * Reads a notebook's run list from its index files: the head in one request,
 * then its sealed segments together. Every file or row that cannot be used
 * becomes one problem line; the others are still listed.
 */
export class RunListReader {
  /**
   * @param read - Reads a file's text (null when it does not exist); throws
   * when the server cannot be reached.
   */
  constructor(
    read: (path: string) => Promise<string | null>,
    trans: TranslationBundle
  ) {
    this._read = read;
    this._trans = trans;
  }

  /**
   * The runs of a notebook, newest first.
   *
   * @throws When the server cannot be reached.
   */
  async read(
    layout: StoreLayout,
    key: string,
    notebookPath: string
  ): Promise<Runs.RunList> {
    const headPath = layout.indexFile(key);
    const problems: string[] = [];
    const text = await this._read(headPath);
    if (text === null) {
      return { runs: [], problems };
    }
    const head = parseStoreFile('index', text, this._trans);
    if (!head.ok) {
      return { runs: [], problems: [this._problem(headPath, head.problem)] };
    }
    if (head.value.notebookPath !== notebookPath) {
      const problem = this._trans.__(
        'lists the runs of "%1", not of this notebook',
        head.value.notebookPath
      );
      return { runs: [], problems: [this._problem(headPath, problem)] };
    }
    const segmentRows = await Promise.all(
      head.value.segments.map(ref =>
        this._readSegment(layout.indexSegment(key, ref.segment), problems)
      )
    );
    const headRows = this.checkRows(headPath, head.value.runs, problems);
    // A row in the head is newer than the same run's row in a segment.
    const rows = new Map<string, StoreFormat.IndexRow>();
    for (const row of [
      ...([] as StoreFormat.IndexRow[]).concat(...segmentRows),
      ...headRows
    ]) {
      rows.set(row.id, row);
    }
    const runs = sortRows(rows.values()).map((row): Runs.RunSummary => ({
      id: row.id,
      name: row.name,
      notebookPath,
      status: row.status,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      params: row.params,
      metrics: row.metrics
    }));
    return { runs, problems };
  }

  /**
   * The rows that pass the format's checks; one problem line for each other.
   */
  checkRows(
    path: string,
    rows: readonly unknown[],
    problems: string[]
  ): StoreFormat.IndexRow[] {
    const valid: StoreFormat.IndexRow[] = [];
    rows.forEach((row, index) => {
      const checked = checkIndexRow(row, `runs[${index}]`, this._trans);
      if (checked.ok) {
        valid.push(checked.value);
      } else {
        problems.push(this._problem(path, checked.problem));
      }
    });
    return valid;
  }

  private async _readSegment(
    path: string,
    problems: string[]
  ): Promise<StoreFormat.IndexRow[]> {
    const text = await this._read(path);
    if (text === null) {
      problems.push(this._problem(path, this._trans.__('is missing')));
      return [];
    }
    const parsed = parseStoreFile('index-segment', text, this._trans);
    if (!parsed.ok) {
      problems.push(this._problem(path, parsed.problem));
      return [];
    }
    return this.checkRows(path, parsed.value.runs, problems);
  }

  private _problem(path: string, problem: string): string {
    return this._trans.__('%1 %2; skipped.', path, problem);
  }

  private readonly _read: (path: string) => Promise<string | null>;
  private readonly _trans: TranslationBundle;
}
