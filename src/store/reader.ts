import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';
import type { BlobAddress } from './codec';
import { blobAddress, fromDeltaList, recordedOutputs } from './codec';
import type { StoreFormat } from './format';
import {
  checkIndexRow,
  checkRunBlock,
  checkSnapshot,
  readStoreFile
} from './format';
import { finiteRange } from './overview';
import type { StoreLayout } from './paths';
import { sortRows } from './rows';
import type { SnapshotState } from './snapshot';
import { decodeSnapshots, snapshotNotebook } from './snapshot';

/**
 * Reads a file's text: null when it does not exist; throws a
 * `DamagedFileError` for a damaged file, another error when the server
 * cannot be reached.
 */
export type ReadText = (path: string) => Promise<string | null>;

/**
 * What the store holds of a run, decoded: see docs/FORMAT.md.
 */
export namespace StoredRun {
  /**
   * One execution, as the kernel ran it.
   */
  export type Execution = {
    /** The execution's number in its kernel session. */
    readonly exec: number;
    readonly cellId: string | null;
    readonly executionCount: number | null;
    /** The source exactly as run. */
    readonly source: string;
    /** Epoch milliseconds. */
    readonly startedAt: number;
    readonly endedAt: number;
    /** Milliseconds. */
    readonly duration: number;
    readonly outcome: StoreFormat.Outcome;
    readonly error: StoreFormat.ExecutionError | null;
    /** The outputs as displayed, or null when none were recorded. */
    readonly outputs: readonly Record<string, unknown>[] | null;
    /** The run that recorded it. */
    readonly run: string;
  };

  /**
   * A parameter with its provenance; `time` in epoch milliseconds.
   */
  export type Param = StoreFormat.Param;

  /**
   * A metric point: value, step, time (epoch milliseconds), execution.
   */
  export type MetricPoint = StoreFormat.MetricPoint;

  /**
   * A metric's points and summary.
   */
  export type Metric = {
    readonly name: string;
    readonly source: string;
    /**
     * Every point, or, when `sampled`, an overview of them: the first, the
     * last and the extremes, about a chart's worth per block.
     */
    readonly points: readonly MetricPoint[];
    readonly sampled: boolean;
    /** How many points were logged. */
    readonly count: number;
    readonly last: StoreFormat.MetricValue | null;
    readonly lastStep: number | null;
    /** Over the finite values; null while there are none. */
    readonly min: number | null;
    readonly max: number | null;
  };

  /**
   * A snapshot of the notebook, as nbformat JSON.
   */
  export type Snapshot = {
    readonly time: number;
    readonly notebook: Record<string, unknown>;
  };

  /**
   * A whole run.
   */
  export type Run = {
    readonly id: string;
    readonly name: string;
    readonly notebookPath: string;
    readonly status: Runs.RunStatus;
    /** Why the run began; null when the block that started it is lost. */
    readonly reason: string | null;
    readonly startedAt: number;
    readonly endedAt: number | null;
    readonly updatedAt: number;
    readonly session: string | null;
    /** The kernel's environment, or null. */
    readonly env: Readonly<Record<string, unknown>> | null;
    /** The highest kernel event `seq` applied. */
    readonly seq: number;
    readonly params: Readonly<Record<string, Param>>;
    readonly tags: Readonly<Record<string, string>>;
    readonly note: string | null;
    /** The run's executions, in the order the kernel ran them. */
    readonly executions: readonly Execution[];
    /** Earlier executions of the session that built the run's state. */
    readonly inherited: readonly Execution[];
    /** Inherited executions the store does not hold, as ranges. */
    readonly unknownInherited: readonly (readonly [number, number])[];
    readonly files: readonly StoreFormat.FileAccess[];
    /** One per metric name and source, in the order first logged. */
    readonly metrics: readonly Metric[];
    /** When each snapshot was taken, oldest first. */
    readonly snapshots: readonly number[];
  };

  /**
   * How to read a run.
   */
  export type ReadOptions = {
    /**
     * Whether to read the executions the run inherited from earlier runs of
     * its session (`inherited`); true by default. Skipping them spares
     * reading those runs, which a comparison of many runs does not need.
     */
    readonly inherited?: boolean;
    /**
     * Whether to read every point of long metric series (`allPoints`);
     * false by default: the packs' overviews are what a chart draws, and
     * reading 100,000 points a series costs seconds.
     */
    readonly allPoints?: boolean;
  };

  /**
   * A run's executions and those it inherited, without the rest of the run.
   */
  export type Executions = Pick<Run, 'executions' | 'inherited'>;

  /**
   * A result with the problems met on the way, one line each.
   */
  export type Result<T> = {
    readonly value: T;
    readonly problems: readonly string[];
  };
}

/**
 * Reads a notebook's index rows from its index files (the store lays the
 * user's annotations over them): the head in one request,
 * then its sealed segments together. Every file or row that cannot be used
 * becomes one problem line; the others are still listed.
 */
export class RunListReader {
  /**
   * @param read - Reads a file's text; see `ReadText`.
   */
  constructor(read: ReadText, trans: TranslationBundle) {
    this._read = read;
    this._trans = trans;
  }

  /**
   * The index rows of a notebook, newest first, and the problems met.
   *
   * @throws When the server cannot be reached.
   */
  async rows(
    layout: StoreLayout,
    key: string,
    notebookPath: string
  ): Promise<{ rows: StoreFormat.IndexRow[]; problems: string[] }> {
    const headPath = layout.indexFile(key);
    const problems: string[] = [];
    const head = await readStoreFile(
      'index',
      headPath,
      this._read,
      this._trans
    );
    if (head === null) {
      return { rows: [], problems };
    }
    if (!head.ok) {
      return { rows: [], problems: [this.problem(headPath, head.problem)] };
    }
    if (head.value.notebookPath !== notebookPath) {
      const problem = this._trans.__(
        'lists the runs of "%1", not of this notebook',
        head.value.notebookPath
      );
      return { rows: [], problems: [this.problem(headPath, problem)] };
    }
    const segmentRows = await Promise.all(
      head.value.segments.map(ref =>
        this._readSegment(
          layout.indexSegment(key, ref.segment),
          ref.segment,
          notebookPath,
          problems
        )
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
    return { rows: sortRows(rows.values()), problems };
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
        problems.push(this.problem(path, checked.problem));
      }
    });
    return valid;
  }

  /**
   * One problem line about a file.
   */
  problem(path: string, problem: string): string {
    return this._trans.__('%1 %2; skipped.', path, problem);
  }

  private async _readSegment(
    path: string,
    segment: number,
    notebookPath: string,
    problems: string[]
  ): Promise<StoreFormat.IndexRow[]> {
    const parsed = await readStoreFile(
      'index-segment',
      path,
      this._read,
      this._trans
    );
    if (parsed === null) {
      problems.push(this.problem(path, this._trans.__('is missing')));
      return [];
    }
    if (!parsed.ok) {
      problems.push(this.problem(path, parsed.problem));
      return [];
    }
    const mismatch = misplaced(parsed.value, notebookPath, this._trans);
    if (mismatch !== null || parsed.value.segment !== segment) {
      problems.push(
        this.problem(
          path,
          mismatch ??
            this._trans.__('holds segment %1', String(parsed.value.segment))
        )
      );
      return [];
    }
    return this.checkRows(path, parsed.value.runs, problems);
  }

  private readonly _read: ReadText;
  private readonly _trans: TranslationBundle;
}

/**
 * A pack as read: the file, and its run blocks and snapshots checked one by
 * one.
 */
type LoadedPack = {
  readonly file: StoreFormat.PackFile;
  readonly blocks: readonly StoreFormat.RunBlock[];
  readonly snapshots: readonly (SnapshotState | string)[];
};

/**
 * Reads whole runs back from a notebook's packs: executions with their
 * sources and outputs, inherited executions, parameters, metrics, files and
 * notebook snapshots. Problems (a missing or damaged pack, a bad block or
 * reference) are reported one line each; what can be read still is.
 */
export class RunReader {
  constructor(
    read: ReadText,
    list: (folder: string) => Promise<string[]>,
    trans: TranslationBundle
  ) {
    this._read = read;
    this._list = list;
    this._trans = trans;
    this._rows = new RunListReader(read, trans);
  }

  /**
   * A whole run, or null when the notebook has no such run.
   *
   * @throws When the server cannot be reached.
   */
  async readRun(
    layout: StoreLayout,
    key: string,
    notebookPath: string,
    runId: string,
    options: StoredRun.ReadOptions = {}
  ): Promise<StoredRun.Result<StoredRun.Run | null>> {
    const context = await this._context(layout, key, notebookPath);
    const row = context.rows.find(item => item.id === runId);
    if (!row) {
      return { value: null, problems: context.problems };
    }
    const run = await this._assemble(context, row, {
      inherited: options.inherited ?? true,
      allPoints: options.allPoints ?? false
    });
    return { value: run, problems: context.problems };
  }

  /**
   * A run's executions in the order the kernel ran them, and the earlier
   * executions of its session it inherited.
   *
   * @throws When the server cannot be reached.
   */
  async readExecutions(
    layout: StoreLayout,
    key: string,
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Executions | null>> {
    const { value, problems } = await this.readRun(
      layout,
      key,
      notebookPath,
      runId
    );
    return {
      value: value && {
        executions: value.executions,
        inherited: value.inherited
      },
      problems
    };
  }

  /**
   * The notebook snapshots of a run, oldest first, as nbformat JSON.
   *
   * @throws When the server cannot be reached.
   */
  async readSnapshots(
    layout: StoreLayout,
    key: string,
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot[]>> {
    const context = await this._context(layout, key, notebookPath);
    const row = context.rows.find(item => item.id === runId);
    if (!row) {
      return { value: [], problems: context.problems };
    }
    const found: { state: SnapshotState; pack: string }[] = [];
    for (const name of row.packs) {
      const pack = await this._pack(context, name);
      pack?.snapshots.forEach((snapshot, index) => {
        if (typeof snapshot === 'string') {
          if (pack.file.snapshots[index]?.run === runId) {
            context.problems.push(
              this._packProblem(
                context,
                name,
                this._trans.__('snapshot %1: %2', index, snapshot)
              )
            );
          }
        } else if (snapshot.run === runId) {
          found.push({ state: snapshot, pack: name });
        }
      });
    }
    found.sort((a, b) => a.state.time - b.state.time);
    const snapshots: StoredRun.Snapshot[] = [];
    for (const { state } of found) {
      const blobs = await this._blobs(
        context,
        ([] as BlobAddress[]).concat(
          ...state.cells.map(cell =>
            cell.outputs ? [cell.source, cell.outputs] : [cell.source]
          )
        )
      );
      snapshots.push({
        time: state.time,
        notebook: snapshotNotebook(state, address => blobs(address))
      });
    }
    return { value: snapshots, problems: context.problems };
  }

  /**
   * The rows of a notebook and a cache of its packs, for one read.
   */
  private async _context(
    layout: StoreLayout,
    key: string,
    notebookPath: string
  ): Promise<Context> {
    const { rows, problems } = await this._rows.rows(layout, key, notebookPath);
    return {
      layout,
      key,
      notebookPath,
      rows,
      problems,
      packs: new Map(),
      points: new Map()
    };
  }

  private async _assemble(
    context: Context,
    row: StoreFormat.IndexRow,
    options: Required<StoredRun.ReadOptions>
  ): Promise<StoredRun.Run> {
    const blocks = await this._blocks(context, row);
    const start = blocks.find(block => block.block.name !== undefined);
    const last = blocks[blocks.length - 1]?.block;
    const params: Record<string, StoredRun.Param> = {};
    const tags: Record<string, string> = {};
    let note: string | null = null;
    const inherited: (readonly [number, number])[] = [];
    const files: StoreFormat.FileAccess[] = [];
    const metrics = new Map<string, MetricState>();
    for (const { block, pack } of blocks) {
      for (const [name, param] of Object.entries(block.params)) {
        params[name] = { ...param, time: param.time + block.startedAt };
      }
      Object.assign(tags, block.tags);
      note = block.note ?? note;
      inherited.push(...block.inherited);
      files.push(...block.files);
      for (const series of block.metrics) {
        const key = `${series.source}\n${series.name}`;
        const known = metrics.get(key) ?? {
          name: series.name,
          source: series.source,
          points: [],
          sampled: false,
          count: 0,
          min: null,
          max: null
        };
        metrics.set(key, known);
        let columns: StoreFormat.MetricColumns = series;
        if (series.whole) {
          const all = options.allPoints
            ? await this._allPoints(context, pack, block.run, series)
            : null;
          columns = all ?? series;
          known.sampled ||= all === null;
          addRange(known, series.whole.count, series.whole);
        } else {
          addRange(known, series.value.length, finiteRange(series.value));
        }
        pushPoints(known.points, columns, block.startedAt);
      }
    }
    const executions = await this._executions(context, blocks);
    const own = new Set(executions.map(execution => execution.exec));
    // Inherited executions live in the blocks of the session's earlier
    // runs: reading them costs those runs' packs, so a caller may skip it.
    const { found, unknown } = options.inherited
      ? await this._inherited(
          context,
          row,
          inherited.filter(([from, to]) => from <= to),
          own
        )
      : { found: [], unknown: [] };
    const env =
      start?.block.env !== undefined && start.block.env !== null
        ? await this._blob(context, blobAddress(start.block.env, start.pack))
        : null;
    return {
      id: row.id,
      name: start?.block.name ?? row.name,
      notebookPath: context.notebookPath,
      status: row.status,
      reason: start?.block.reason ?? null,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      updatedAt: row.updatedAt,
      session: row.session,
      env: isObject(env) ? env : null,
      seq: Math.max(row.seq, last?.seq ?? 0),
      params,
      tags: { ...tags, ...row.tags },
      note,
      executions,
      inherited: found,
      unknownInherited: unknown,
      files,
      metrics: [...metrics.values()].map(summarize),
      snapshots: await this._snapshotTimes(context, row)
    };
  }

  /**
   * The blocks of a run in its packs, oldest first.
   */
  private async _blocks(
    context: Context,
    row: StoreFormat.IndexRow
  ): Promise<{ block: StoreFormat.RunBlock; pack: string }[]> {
    const blocks: { block: StoreFormat.RunBlock; pack: string }[] = [];
    for (const name of row.packs) {
      const pack = await this._pack(context, name);
      for (const block of pack?.blocks ?? []) {
        if (block.run === row.id) {
          blocks.push({ block, pack: name });
        }
      }
    }
    return orderBlocks(blocks);
  }

  /**
   * The executions of blocks with their sources and outputs, in the order
   * the kernel ran them.
   */
  private async _executions(
    context: Context,
    blocks: readonly { block: StoreFormat.RunBlock; pack: string }[]
  ): Promise<StoredRun.Execution[]> {
    const rows: {
      exec: number;
      cellId: string | null;
      executionCount: number | null;
      source: BlobAddress;
      startedAt: number;
      endedAt: number;
      outcome: StoreFormat.Outcome;
      error: StoreFormat.ExecutionError | null;
      run: string;
    }[] = [];
    const seen = new Set<number>();
    const outputs = new Map<number, BlobAddress>();
    for (const { block, pack } of blocks) {
      const columns = block.executions;
      const execs = fromDeltaList(columns.exec);
      const counts = fromDeltaList(columns.count);
      const times = fromDeltaList(columns.time, block.startedAt);
      execs.forEach((exec, index) => {
        if (exec === null || seen.has(exec)) {
          return;
        }
        seen.add(exec);
        rows.push({
          exec,
          cellId: columns.cell[index],
          executionCount: counts[index],
          source: blobAddress(columns.source[index], pack),
          startedAt: times[2 * index] as number,
          endedAt: times[2 * index + 1] as number,
          outcome: columns.outcome[index],
          error: columns.error[index],
          run: block.run
        });
      });
      fromDeltaList(block.outputs.exec).forEach((exec, index) => {
        if (exec !== null) {
          outputs.set(exec, blobAddress(block.outputs.blob[index], pack));
        }
      });
    }
    const blobs = await this._blobs(context, [
      ...rows.map(row => row.source),
      ...outputs.values()
    ]);
    return rows.map(row => {
      const address = outputs.get(row.exec);
      const source = blobs(row.source);
      return {
        exec: row.exec,
        cellId: row.cellId,
        executionCount: row.executionCount,
        source: typeof source === 'string' ? source : '',
        startedAt: row.startedAt,
        endedAt: row.endedAt,
        duration: row.endedAt - row.startedAt,
        outcome: row.outcome,
        error: row.error,
        outputs: address
          ? recordedOutputs(blobs(address), row.executionCount)
          : null,
        run: row.run
      };
    });
  }

  /**
   * The inherited executions the session's runs recorded, and the ranges
   * of those no run of the store holds.
   */
  private async _inherited(
    context: Context,
    row: StoreFormat.IndexRow,
    ranges: readonly (readonly [number, number])[],
    own: ReadonlySet<number>
  ): Promise<{
    found: StoredRun.Execution[];
    unknown: [number, number][];
  }> {
    if (ranges.length === 0) {
      return { found: [], unknown: [] };
    }
    const wanted = (exec: number): boolean =>
      !own.has(exec) && ranges.some(([from, to]) => from <= exec && exec <= to);
    // Only runs that began before this one can have run what it inherited.
    const siblings = context.rows.filter(
      other =>
        other.id !== row.id &&
        row.session !== null &&
        other.session === row.session &&
        other.startedAt <= row.startedAt
    );
    const found = new Map<number, StoredRun.Execution>();
    for (const sibling of siblings) {
      const blocks = await this._blocks(context, sibling);
      const executions = await this._executions(context, blocks);
      for (const execution of executions) {
        if (wanted(execution.exec) && !found.has(execution.exec)) {
          found.set(execution.exec, execution);
        }
      }
    }
    const unknown: [number, number][] = [];
    for (const [from, to] of ranges) {
      for (let exec = from; exec <= to; exec++) {
        if (own.has(exec) || found.has(exec)) {
          continue;
        }
        const last = unknown[unknown.length - 1];
        if (last && last[1] + 1 === exec) {
          last[1] = exec;
        } else {
          unknown.push([exec, exec]);
        }
      }
    }
    return {
      found: [...found.values()].sort((a, b) => a.exec - b.exec),
      unknown
    };
  }

  private async _snapshotTimes(
    context: Context,
    row: StoreFormat.IndexRow
  ): Promise<number[]> {
    const times: number[] = [];
    for (const name of row.packs) {
      const pack = await this._pack(context, name);
      for (const snapshot of pack?.file.snapshots ?? []) {
        if (snapshot.run === row.id) {
          times.push(snapshot.time);
        }
      }
    }
    return times.sort((a, b) => a - b);
  }

  /**
   * A function giving the blobs at the addresses, loading their packs; a
   * blob that cannot be read gives null, with a problem line.
   */
  private async _blobs(
    context: Context,
    addresses: readonly BlobAddress[]
  ): Promise<(address: BlobAddress) => unknown> {
    const names = new Set(addresses.map(address => address.pack));
    await Promise.all([...names].map(name => this._pack(context, name)));
    const reported = new Set<string>();
    return address => {
      const pack = context.packs.get(address.pack);
      const blobs = pack instanceof Promise ? undefined : pack?.file.blobs;
      if (blobs && address.index < blobs.length) {
        return blobs[address.index];
      }
      const where = `${address.pack}/${address.index}`;
      if (!reported.has(where) && blobs) {
        reported.add(where);
        context.problems.push(
          this._packProblem(
            context,
            address.pack,
            this._trans.__('has no blob %1', address.index)
          )
        );
      }
      return null;
    };
  }

  private async _blob(
    context: Context,
    address: BlobAddress
  ): Promise<unknown> {
    return (await this._blobs(context, [address]))(address);
  }

  /**
   * A pack of the notebook, read once per read; null (with a problem line)
   * when it is missing or cannot be read.
   */
  private async _pack(
    context: Context,
    name: string
  ): Promise<LoadedPack | null> {
    if (context.packs.has(name)) {
      return (await context.packs.get(name)) ?? null;
    }
    const loading = this._loadPack(context, name);
    context.packs.set(name, loading);
    const pack = await loading;
    context.packs.set(name, pack);
    return pack;
  }

  private async _loadPack(
    context: Context,
    name: string
  ): Promise<LoadedPack | null> {
    const path = context.layout.packFile(context.key, name);
    const parsed = await readStoreFile('pack', path, this._read, this._trans);
    if (parsed === null || !parsed.ok) {
      context.problems.push(
        this._rows.problem(
          path,
          parsed === null ? this._trans.__('is missing') : parsed.problem
        )
      );
      return null;
    }
    const file = parsed.value;
    const mismatch =
      misplaced(file, context.notebookPath, this._trans) ??
      (file.pack !== name
        ? this._trans.__('holds pack "%1"', file.pack)
        : null);
    if (mismatch !== null) {
      context.problems.push(this._rows.problem(path, mismatch));
      return null;
    }
    const blobs = file.blobs.length;
    const blocks: StoreFormat.RunBlock[] = [];
    file.runs.forEach((block, index) => {
      const checked = checkRunBlock(
        block,
        `runs[${index}]`,
        blobs,
        this._trans
      );
      if (checked.ok) {
        blocks.push(checked.value);
      } else {
        context.problems.push(this._rows.problem(path, checked.problem));
      }
    });
    const snapshots: StoreFormat.Snapshot[] = [];
    const bad = new Map<number, string>();
    file.snapshots.forEach((snapshot, index) => {
      const checked = checkSnapshot(
        snapshot,
        `snapshots[${index}]`,
        blobs,
        this._trans
      );
      if (checked.ok) {
        snapshots.push(checked.value);
      } else {
        bad.set(index, checked.problem);
        // Keeps the numbering: a snapshot based on it fails in turn.
        snapshots.push({ run: '', time: 0, base: index, cells: [] });
      }
    });
    const decoded = decodeSnapshots(name, snapshots, this._trans).map(
      (snapshot, index) => bad.get(index) ?? snapshot
    );
    return { file, blocks, snapshots: decoded };
  }

  /**
   * Every point of a series that a pack holds as an overview, from the
   * pack's points file; null, with a problem line, when they cannot be
   * read whole (the overview then stands in).
   */
  private async _allPoints(
    context: Context,
    pack: string,
    run: string,
    series: StoreFormat.MetricSeries
  ): Promise<StoreFormat.MetricColumns | null> {
    let loading = context.points.get(pack);
    if (!loading) {
      loading = readStoreFile(
        'points',
        context.layout.pointsFile(context.key, pack),
        this._read,
        this._trans
      );
      context.points.set(pack, loading);
    }
    const parsed = await loading;
    const path = context.layout.pointsFile(context.key, pack);
    const problem = (text: string): null => {
      const line = this._rows.problem(path, text);
      if (!context.problems.includes(line)) {
        context.problems.push(line);
      }
      return null;
    };
    if (parsed === null) {
      return problem(this._trans.__('is missing'));
    }
    if (!parsed.ok) {
      return problem(parsed.problem);
    }
    const mismatch = misplaced(parsed.value, context.notebookPath, this._trans);
    if (mismatch !== null) {
      return problem(mismatch);
    }
    if (parsed.value.pack !== pack) {
      return problem(this._trans.__('holds pack "%1"', parsed.value.pack));
    }
    const found = parsed.value.series.find(
      item =>
        item.run === run &&
        item.name === series.name &&
        item.source === series.source
    );
    if (!found || found.value.length !== series.whole?.count) {
      return problem(
        this._trans.__(
          'does not hold the %1 points of "%2" of run %3',
          series.whole?.count ?? 0,
          series.name,
          run
        )
      );
    }
    return found;
  }

  private _packProblem(
    context: Context,
    pack: string,
    problem: string
  ): string {
    return this._rows.problem(
      context.layout.packFile(context.key, pack),
      problem
    );
  }

  /**
   * The packs of a notebook, for the store's blob index.
   */
  async packNames(layout: StoreLayout, key: string): Promise<string[]> {
    const suffix = '.json.gz';
    return (await this._list(layout.packsFolder(key)))
      .filter(name => name.endsWith(suffix))
      .map(name => name.slice(0, -suffix.length));
  }

  private readonly _list: (folder: string) => Promise<string[]>;
  private readonly _read: ReadText;
  private readonly _rows: RunListReader;
  private readonly _trans: TranslationBundle;
}

/**
 * Why a file of a notebook's folder belongs to another notebook (its
 * `notebookPath` is another, as when a file was copied there), or null.
 */
function misplaced(
  file: { readonly notebookPath: string },
  notebookPath: string,
  trans: TranslationBundle
): string | null {
  return file.notebookPath === notebookPath
    ? null
    : trans.__(
        'belongs to the runs of "%1", not of this notebook',
        file.notebookPath
      );
}

/**
 * What one read of a notebook's runs shares.
 */
type Context = {
  readonly layout: StoreLayout;
  readonly key: string;
  readonly notebookPath: string;
  readonly rows: readonly StoreFormat.IndexRow[];
  readonly problems: string[];
  readonly packs: Map<string, LoadedPack | null | Promise<LoadedPack | null>>;
  /** The points files read, by pack. */
  readonly points: Map<
    string,
    Promise<StoreFormat.Parsed<StoreFormat.PointsFile> | null>
  >;
};

/**
 * A metric as its blocks are read.
 */
type MetricState = {
  name: string;
  source: string;
  points: StoredRun.MetricPoint[];
  sampled: boolean;
  count: number;
  min: number | null;
  max: number | null;
};

/**
 * A run's blocks in the order they were recorded: by `seq`, then by when
 * they were last written.
 */
export function orderBlocks<T extends { readonly block: StoreFormat.RunBlock }>(
  blocks: readonly T[]
): T[] {
  return [...blocks].sort(
    (a, b) =>
      a.block.seq - b.block.seq ||
      a.block.startedAt +
        a.block.updatedAt -
        (b.block.startedAt + b.block.updatedAt)
  );
}

/**
 * The index row of a run, made from its blocks alone: what a reader falls
 * back on when the index lost the row.
 */
export function rowFromBlocks(
  blocks: readonly { block: StoreFormat.RunBlock; pack: string }[]
): StoreFormat.IndexRow {
  const ordered = orderBlocks(blocks);
  const start = ordered.find(item => item.block.name !== undefined)?.block;
  const last = ordered[ordered.length - 1].block;
  const params: Record<string, Runs.Scalar> = {};
  const metrics: Record<string, number | null> = {};
  const tags: Record<string, string> = {};
  for (const { block } of ordered) {
    for (const [name, param] of Object.entries(block.params)) {
      params[name] = param.value;
    }
    for (const series of block.metrics) {
      const value = series.value[series.value.length - 1];
      if (value !== undefined) {
        metrics[series.name] = typeof value === 'number' ? value : null;
      }
    }
    Object.assign(tags, block.tags);
  }
  return {
    id: last.run,
    name: start?.name ?? last.run,
    status: last.status,
    startedAt: last.startedAt,
    endedAt: last.endedAt === null ? null : last.startedAt + last.endedAt,
    params,
    metrics,
    tags,
    session: start?.session ?? null,
    updatedAt: last.startedAt + last.updatedAt,
    seq: last.seq,
    packs: [...new Set(ordered.map(item => item.pack))]
  };
}

function summarize(metric: MetricState): StoredRun.Metric {
  const last = metric.points[metric.points.length - 1];
  return {
    name: metric.name,
    source: metric.source,
    points: metric.points,
    sampled: metric.sampled,
    count: metric.count,
    last: last ? last[0] : null,
    lastStep: last ? last[1] : null,
    min: metric.min,
    max: metric.max
  };
}

/**
 * Count a block's points into a metric, with their finite range.
 */
function addRange(
  metric: MetricState,
  count: number,
  range: { min: number | null; max: number | null }
): void {
  metric.count += count;
  if (range.min !== null) {
    metric.min =
      metric.min === null ? range.min : Math.min(metric.min, range.min);
  }
  if (range.max !== null) {
    metric.max =
      metric.max === null ? range.max : Math.max(metric.max, range.max);
  }
}

/**
 * Decode metric columns (times after `origin`) onto `points`.
 */
function pushPoints(
  points: StoredRun.MetricPoint[],
  columns: StoreFormat.MetricColumns,
  origin: number
): void {
  const steps = fromDeltaList(columns.step);
  const times = fromDeltaList(columns.time, origin);
  const execs = fromDeltaList(columns.exec);
  columns.value.forEach((value, index) =>
    points.push([value, steps[index], times[index] as number, execs[index]])
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
