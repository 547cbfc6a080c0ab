import type { Runs } from '../tokens';
import type { BlobAddress } from './codec';
import { blobRef, toDeltaList } from './codec';
import { StoreFormat } from './format';
import {
  extremeIndices,
  finiteRange,
  metricNumber,
  OVERVIEW_POINTS
} from './overview';
import type { SnapshotState } from './snapshot';
import { encodeSnapshot, KEYFRAME_INTERVAL } from './snapshot';

/**
 * A parameter as the store keeps it, its time in epoch milliseconds.
 */
export type ParamState = Omit<StoreFormat.Param, 'time'> & {
  readonly time: number;
};

/**
 * One execution, its times in epoch milliseconds.
 */
export type ExecutionState = {
  readonly exec: number;
  readonly cell: string | null;
  readonly count: number | null;
  readonly source: BlobAddress;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly outcome: StoreFormat.Outcome;
  readonly error: StoreFormat.ExecutionError | null;
};

/**
 * What the open pack holds of one run: see `StoreFormat.RunBlock`.
 */
export type BlockState = {
  readonly run: string;
  /** Set in the block where the run started. */
  start: {
    readonly name: string;
    readonly reason: string;
    readonly session: string | null;
    readonly env: BlobAddress | null;
  } | null;
  readonly params: Record<string, ParamState>;
  readonly tags: Record<string, string>;
  note: string | null;
  readonly inherited: [number, number][];
  readonly executions: ExecutionState[];
  readonly outputs: { exec: number; blob: BlobAddress }[];
  readonly metrics: Map<
    string,
    { name: string; source: string; points: StoreFormat.MetricPoint[] }
  >;
  readonly files: StoreFormat.FileAccess[];
};

/**
 * What a run block's file form takes from the run itself.
 */
export type RunSummary = {
  readonly startedAt: number;
  readonly status: Runs.RunStatus;
  readonly endedAt: number | null;
  readonly updatedAt: number;
  readonly seq: number;
};

/**
 * The pack a page is writing for a notebook: kept in memory and written
 * whole at each write of the notebook, until it is full.
 */
export class PackBuilder {
  /**
   * @param name - The pack's name, `<writer>-<n>`.
   */
  constructor(
    readonly name: string,
    readonly notebookPath: string
  ) {}

  /**
   * Add a blob; returns its address.
   */
  addBlob(value: unknown): BlobAddress {
    this._blobs.push(value);
    return { pack: this.name, index: this._blobs.length - 1 };
  }

  addSession(session: {
    id: string;
    startedAt: number;
    env: BlobAddress | null;
    seq: number;
  }): void {
    this._sessions.push(session);
  }

  /**
   * The block of a run in this pack, created empty when missing.
   */
  block(run: string): BlockState {
    let block = this._blocks.get(run);
    if (!block) {
      block = {
        run,
        start: null,
        params: {},
        tags: {},
        note: null,
        inherited: [],
        executions: [],
        outputs: [],
        metrics: new Map(),
        files: []
      };
      this._blocks.set(run, block);
    }
    return block;
  }

  /**
   * Add a snapshot, as a keyframe or as the changes to the pack's previous
   * one.
   */
  addSnapshot(state: SnapshotState): void {
    const previous = this._lastSnapshot;
    const keyframe =
      !previous ||
      this._snapshots.length - this._lastKeyframe >= KEYFRAME_INTERVAL;
    const index = this._snapshots.length;
    this._snapshots.push(
      encodeSnapshot(
        state,
        keyframe || !previous ? null : { index: index - 1, state: previous },
        this.name
      )
    );
    if (keyframe) {
      this._lastKeyframe = index;
    }
    this._lastSnapshot = state;
  }

  /**
   * The pack file, each block completed with its run's summary, and its
   * points file when a long series grew since the last call (null
   * otherwise: the one written last still holds every point).
   */
  toFiles(
    summaries: (run: string) => RunSummary,
    now: number
  ): { pack: StoreFormat.PackFile; points: StoreFormat.PointsFile | null } {
    const name = this.name;
    const long: StoreFormat.PointSeries[] = [];
    const runs = [...this._blocks.values()].map(block =>
      blockFile(block, summaries(block.run), name, long)
    );
    // Points are only ever added: the same count means the same points.
    const count = long.reduce((sum, series) => sum + series.value.length, 0);
    const grew = count !== this._pointsWritten;
    this._pointsWritten = count;
    return {
      pack: {
        format: 'jupyterlab-runs/pack',
        version: StoreFormat.VERSION,
        notebookPath: this.notebookPath,
        pack: name,
        updatedAt: now,
        blobs: this._blobs,
        sessions: this._sessions.map(session => ({
          ...session,
          env: session.env && blobRef(session.env, name)
        })),
        runs,
        snapshots: this._snapshots
      },
      points: grew
        ? {
            format: 'jupyterlab-runs/points',
            version: StoreFormat.VERSION,
            notebookPath: this.notebookPath,
            pack: name,
            series: long
          }
        : null
    };
  }

  /**
   * The size of the points file's JSON text as last written.
   */
  pointsSize = 0;

  private readonly _blobs: unknown[] = [];
  private readonly _blocks = new Map<string, BlockState>();
  private _lastKeyframe = 0;
  private _lastSnapshot: SnapshotState | null = null;
  private _pointsWritten = 0;
  private readonly _sessions: {
    id: string;
    startedAt: number;
    env: BlobAddress | null;
    seq: number;
  }[] = [];
  private readonly _snapshots: StoreFormat.Snapshot[] = [];
}

/**
 * A block as written in pack `pack`: columns, times after the run's start.
 */
function blockFile(
  block: BlockState,
  run: RunSummary,
  pack: string,
  long: StoreFormat.PointSeries[]
): StoreFormat.RunBlock {
  const origin = run.startedAt;
  const times: number[] = [];
  for (const execution of block.executions) {
    times.push(execution.startedAt, execution.endedAt);
  }
  const params: Record<string, StoreFormat.Param> = {};
  for (const [name, param] of Object.entries(block.params)) {
    params[name] = { ...param, time: param.time - origin };
  }
  return {
    run: block.run,
    startedAt: origin,
    ...(block.start
      ? {
          name: block.start.name,
          reason: block.start.reason,
          session: block.start.session,
          env: block.start.env && blobRef(block.start.env, pack)
        }
      : {}),
    status: run.status,
    endedAt: run.endedAt === null ? null : run.endedAt - origin,
    updatedAt: run.updatedAt - origin,
    seq: run.seq,
    params,
    tags: block.tags,
    note: block.note,
    inherited: block.inherited,
    executions: {
      exec: toDeltaList(block.executions.map(e => e.exec)),
      cell: block.executions.map(e => e.cell),
      count: toDeltaList(block.executions.map(e => e.count)),
      source: block.executions.map(e => blobRef(e.source, pack)),
      time: toDeltaList(times, origin),
      outcome: block.executions.map(e => e.outcome),
      error: block.executions.map(e => e.error)
    },
    outputs: {
      exec: toDeltaList(block.outputs.map(o => o.exec)),
      blob: block.outputs.map(o => blobRef(o.blob, pack))
    },
    metrics: [...block.metrics.values()].map(series => {
      const { name, source, points } = series;
      if (points.length <= OVERVIEW_POINTS) {
        return { name, source, ...metricColumns(points, origin) };
      }
      const columns = metricColumns(points, origin);
      long.push({ run: block.run, name, source, ...columns });
      const kept = extremeIndices(
        points.length,
        index => metricNumber(points[index][0]),
        OVERVIEW_POINTS
      );
      return {
        name,
        source,
        ...metricColumns(
          kept.map(index => points[index]),
          origin
        ),
        whole: { count: points.length, ...finiteRange(columns.value) }
      };
    }),
    files: block.files
  };
}

/**
 * Metric points as columns, times after `origin`.
 */
function metricColumns(
  points: readonly StoreFormat.MetricPoint[],
  origin: number
): StoreFormat.MetricColumns {
  return {
    value: points.map(point => point[0]),
    step: toDeltaList(points.map(point => point[1])),
    time: toDeltaList(
      points.map(point => point[2]),
      origin
    ),
    exec: toDeltaList(points.map(point => point[3]))
  };
}
