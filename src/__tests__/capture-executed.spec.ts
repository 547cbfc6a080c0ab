import { ExecutedCells } from '../capture/executedCells';
import type { ExecutedVersion } from '../capture/executedSnapshot';
import {
  executedNotebook,
  prepareExecutedNotebook
} from '../capture/executedSnapshot';
import { cutNote } from '../capture/outputs';
import { REDACTED } from '../capture/redact';
import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';

const stream = (text: string) => ({
  output_type: 'stream',
  name: 'stdout',
  text
});

/** A code cell whose one output prints its source, or none without a count. */
const cell = (id: string, source: string, count: number | null) => ({
  id,
  cell_type: 'code',
  source,
  metadata: {},
  outputs: count === null ? [] : [stream(source)],
  execution_count: count
});

/** What this page saw of an execution of `cell`. */
const seen = (json: ReturnType<typeof cell>): ExecutedVersion => ({
  count: json.execution_count!,
  source: json.source,
  outputs: json.outputs,
  stored: false,
  cell: json
});

/** An execution as the store gives it back. */
const execution = (
  exec: number,
  cellId: string,
  source: string,
  outputs: Record<string, unknown>[] | null
): StoredRun.Execution => ({
  exec,
  cellId,
  executionCount: exec,
  source,
  startedAt: 0,
  endedAt: 0,
  duration: 0,
  outcome: 'ok',
  error: null,
  outputs,
  run: 'run-1'
});

const none = new Set<string>();

describe('capture/executedSnapshot', () => {
  describe('#executedNotebook()', () => {
    it('should show cells as they stood when the run ended', () => {
      // The run ended with execution 3; Run All went on into the next run:
      // seed ran as 4, fit is running, `new` waits; `old` ran long before.
      const now = {
        nbformat: 4,
        cells: [
          cell('old', 'import x', 1),
          cell('seed', 'seed = 42', 4),
          cell('fit', 'fit()', null),
          cell('new', 'new()', null)
        ]
      };
      const versions = new Map([
        ['old', [seen(cell('old', 'import x', 1))]],
        [
          'seed',
          [
            seen(cell('seed', 'seed = 69', 2)),
            seen(cell('seed', 'seed = 42', 4))
          ]
        ],
        ['fit', [seen(cell('fit', 'fit()', 3))]]
      ]);
      expect(
        executedNotebook(now, versions, {
          lastCount: 3,
          pending: new Set(['fit', 'new'])
        })
      ).toEqual({
        nbformat: 4,
        cells: [
          cell('old', 'import x', 1),
          cell('seed', 'seed = 69', 2),
          cell('fit', 'fit()', 3),
          cell('new', 'new()', null)
        ]
      });
    });

    it('should give a cell edited after it ran back the source it ran, with its outputs', () => {
      const ran = { ...cell('seed', 'seed = 69', 1), outputs: [] };
      const edited = { ...ran, source: 'seed = 42' };
      const versions = new Map([['seed', [seen(ran)]]]);
      expect(
        executedNotebook({ cells: [edited] }, versions, {
          lastCount: 3,
          pending: none
        })
      ).toEqual({ cells: [ran] });
    });

    it('should keep a cell the kernel never ran as the editor shows it', () => {
      const edited = cell('seed', 'seed = 42', 7);
      expect(
        executedNotebook({ cells: [edited] }, new Map(), { pending: none })
          .cells
      ).toEqual([edited]);
    });

    it('should take the executions read back from the store over what a reloaded page shows', () => {
      // Run All with seed 69 (counts 1 to 2), the page reloaded from a file
      // saved earlier (no counts), then seed edited to 42.
      const reloaded = {
        cells: [
          cell('seed', 'seed = 42', null),
          { id: 'md', cell_type: 'markdown', source: '# Fit', metadata: {} },
          cell('fit', 'fit()', null)
        ]
      };
      const versions = new Map<string, ExecutedVersion[]>([
        [
          'seed',
          [
            {
              count: 1,
              source: 'seed = 69',
              outputs: [],
              stored: true
            }
          ]
        ],
        [
          'fit',
          [
            {
              count: 2,
              source: 'fit()',
              outputs: [stream('mse 0.5\n')],
              stored: true
            }
          ]
        ]
      ]);
      expect(
        executedNotebook(reloaded, versions, { pending: none }).cells
      ).toEqual([
        { ...cell('seed', 'seed = 69', 1), outputs: [] },
        reloaded.cells[1],
        { ...cell('fit', 'fit()', 2), outputs: [stream('mse 0.5\n')] }
      ]);
    });
  });

  describe('#prepareExecutedNotebook()', () => {
    it('should redact and cap what the page saw, and not cap what the store gave back again', () => {
      const stored = [stream(`${'x'.repeat(10)}\n${cutNote(5000, 10)}`)];
      const notebook = {
        cells: [
          cell('live', 'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"', 1),
          cell('read', 'print(x)', 2)
        ]
      };
      const versions = new Map<string, ExecutedVersion[]>([
        [
          'live',
          [seen({ ...notebook.cells[0], outputs: [stream('y'.repeat(30))] })]
        ],
        [
          'read',
          [{ count: 2, source: 'print(x)', outputs: stored, stored: true }]
        ]
      ]);
      // The editor shows other outputs for `live`: those of the same
      // execution, updated since, are the freshest.
      notebook.cells[0].outputs = [stream('z'.repeat(30))];

      const prepared = prepareExecutedNotebook(
        notebook,
        versions,
        { pending: none },
        10
      );

      const cells = prepared.cells as ReturnType<typeof cell>[];
      expect(cells[0].source).toBe(`token = "${REDACTED}"`);
      expect(cells[0].outputs).toEqual([
        stream(`${'z'.repeat(10)}\n${cutNote(30, 10)}`)
      ]);
      expect(cells[1].outputs).toEqual(stored);
    });
  });
});

describe('ExecutedCells', () => {
  const run = (
    executions: StoredRun.Execution[],
    inherited: StoredRun.Execution[] = []
  ): StoredRun.Executions => ({ executions, inherited });
  const event = (seq: number): Runs.KernelEvent => ({
    seq,
    time: seq,
    kind: 'execution'
  });
  const frame = { cells: [cell('seed', 'seed = 42', null)] };

  /** The snapshot `cells` gives of run-1, once it has it. */
  const snapshotOf = (cells: ExecutedCells) =>
    new Promise<Record<string, unknown>>(resolve =>
      cells.snapshot('run-1', frame, { pending: none }, 1000, resolve)
    );

  it("should read a run's executions from the store when the page did not see them", async () => {
    const reads: string[] = [];
    const cells = new ExecutedCells(async id => {
      reads.push(id);
      return run(
        [execution(2, 'seed', 'seed = 69', [])],
        [execution(1, 'seed', 'seed = 1', [])]
      );
    });
    // Reloaded: the kernel's events go on from the 8th.
    cells.noteEvents([event(8), event(9)]);
    expect(cells.isComplete).toBe(false);

    const snapshot = await snapshotOf(cells);

    expect(reads).toEqual(['run-1']);
    expect(snapshot.cells).toEqual([
      { ...cell('seed', 'seed = 69', 2), outputs: [] }
    ]);
    // Read once: the next snapshot is built at once.
    await snapshotOf(cells);
    expect(reads).toEqual(['run-1']);
  });

  it('should build the snapshot at once from what it saw of every event', () => {
    const cells = new ExecutedCells(async () => {
      throw new Error('the store is not read');
    });
    cells.noteEvents([event(1), event(2), event(1)]);
    cells.add('seed', seen(cell('seed', 'seed = 69', 1)));
    expect(cells.isComplete).toBe(true);

    let built: Record<string, unknown> | null = null;
    cells.snapshot('run-1', frame, { pending: none }, 1000, notebook => {
      built = notebook;
    });

    expect(built!.cells).toEqual([cell('seed', 'seed = 69', 1)]);
  });

  it('should read the store again after missing events', async () => {
    let source = 'seed = 69';
    const cells = new ExecutedCells(async () =>
      run([execution(1, 'seed', source, [])])
    );
    cells.noteEvents([event(5)]);
    await snapshotOf(cells);
    source = 'seed = 42';
    // Another tab wrote events 6 to 9 meanwhile.
    cells.noteEvents([event(10)]);
    expect((await snapshotOf(cells)).cells).toEqual([
      { ...cell('seed', 'seed = 42', 1), outputs: [] }
    ]);
  });
});
