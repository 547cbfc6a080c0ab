import type { CellDiff } from '../compare/cells';
import { diffNotebooks, notebookCells, sourceText } from '../compare/cells';
import { diffExecutions, executedCells } from '../compare/executions';
import { inOrder, likeness } from '../compare/match';
import { storedExecution as execution } from './stored-runs';

type TestCell = {
  id?: string;
  cell_type?: string;
  source: string | string[];
};

function notebook(...cells: TestCell[]): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map(cell => ({
      cell_type: 'code',
      metadata: {},
      outputs: [],
      execution_count: null,
      ...cell
    }))
  };
}

/**
 * The diff as one line per cell: status, old and new index, the new (or
 * old) source's first line.
 */
function outline(diff: CellDiff.Result): string[] {
  return diff.cells.map(
    cell =>
      `${cell.status} ${cell.oldIndex ?? '-'}>${cell.newIndex ?? '-'} ` +
      (cell.newSource ?? cell.oldSource ?? '').split('\n')[0]
  );
}

describe('compare/cells', () => {
  describe('#sourceText()', () => {
    it.each([
      ['a string', 'x = 1\ny = 2', 'x = 1\ny = 2'],
      ['a list of lines', ['x = 1\n', 'y = 2'], 'x = 1\ny = 2'],
      ['a list with odd items', ['x = 1\n', 3, null, 'y'], 'x = 1\ny'],
      ['nothing', undefined, ''],
      ['a number', 42, '']
    ])('should read %s', (_, source, expected) => {
      expect(sourceText(source)).toBe(expected);
    });
  });

  describe('#notebookCells()', () => {
    it.each([null, 42, 'text', [], {}, { cells: 'no' }])(
      'should find no cells in %j',
      value => {
        expect(notebookCells(value)).toEqual([]);
      }
    );

    it('should skip cells that are not objects and default the rest', () => {
      expect(
        notebookCells({ cells: [null, 'x', { source: 'a', id: '' }] })
      ).toEqual([{ id: null, type: 'code', source: 'a' }]);
    });
  });

  describe('#diffNotebooks()', () => {
    it('should find identical notebooks identical, outputs ignored', () => {
      const a = notebook(
        { id: 'a', source: 'import numpy' },
        { id: 'b', cell_type: 'markdown', source: '# Title' }
      );
      const b = structuredCloneOf(a);
      (b.cells as Record<string, unknown>[])[0].outputs = [
        { output_type: 'stream', name: 'stdout', text: 'changed' }
      ];
      const diff = diffNotebooks(a, b);
      expect(diff.identical).toBe(true);
      expect(diff.counts).toEqual({
        unchanged: 2,
        changed: 0,
        added: 0,
        removed: 0,
        moved: 0
      });
      expect(outline(diff)).toEqual([
        'unchanged 0>0 import numpy',
        'unchanged 1>1 # Title'
      ]);
    });

    it('should diff a changed cell matched by id, with the marks', () => {
      const diff = diffNotebooks(
        notebook(
          { id: 'a', source: 'import random' },
          { id: 'b', source: 'seed = 69\nrandom.seed(seed)' }
        ),
        notebook(
          { id: 'a', source: 'import random' },
          { id: 'b', source: ['seed = 42\n', 'random.seed(seed)'] }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 import random',
        'changed 1>1 seed = 42'
      ]);
      const cell = diff.cells[1];
      expect(cell).toMatchObject({
        id: 'b',
        matchedBy: 'id',
        sourceChanged: true
      });
      const changedLines = cell.lines!.hunks[0].lines.filter(
        line => line.kind !== 'equal'
      );
      expect(
        changedLines.map(line =>
          line.marks?.filter(mark => mark.changed).map(mark => mark.text)
        )
      ).toEqual([['69'], ['42']]);
    });

    it('should find added and removed cells, removed ones where they were', () => {
      const diff = diffNotebooks(
        notebook(
          { id: 'a', source: 'load()' },
          { id: 'b', source: 'old_step()' },
          { id: 'c', source: 'train()' }
        ),
        notebook(
          { id: 'a', source: 'load()' },
          { id: 'c', source: 'train()' },
          { id: 'd', source: 'evaluate()' }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 load()',
        'removed 1>- old_step()',
        'unchanged 2>1 train()',
        'added ->2 evaluate()'
      ]);
      expect(diff.counts).toMatchObject({ added: 1, removed: 1 });
      expect(diff.identical).toBe(false);
    });

    it('should put a removed cell before the cell added in its place', () => {
      const diff = diffNotebooks(
        notebook(
          { id: 'a', source: 'a()' },
          { id: 'b', source: 'b()' },
          { id: 'c', source: 'c()' }
        ),
        notebook(
          { id: 'a', source: 'a()' },
          { id: 'x', source: 'something_else()' },
          { id: 'c', source: 'c()' }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 a()',
        'removed 1>- b()',
        'added ->1 something_else()',
        'unchanged 2>2 c()'
      ]);
    });

    it('should find a moved cell, and one moved and changed', () => {
      const diff = diffNotebooks(
        notebook(
          { id: 'a', source: 'import numpy' },
          { id: 'b', source: 'x = 1' },
          { id: 'c', source: 'y = 2' },
          { id: 'd', source: 'z = 3' },
          { id: 'e', source: 'plot()' }
        ),
        notebook(
          { id: 'c', source: 'y = 2' },
          { id: 'a', source: 'import numpy' },
          { id: 'b', source: 'x = 1' },
          { id: 'd', source: 'z = 3' },
          { id: 'e', source: 'plot(x)' }
        )
      );
      expect(outline(diff)).toEqual([
        'moved 2>0 y = 2',
        'unchanged 0>1 import numpy',
        'unchanged 1>2 x = 1',
        'unchanged 3>3 z = 3',
        'changed 4>4 plot(x)'
      ]);
      expect(diff.counts).toEqual({
        unchanged: 3,
        changed: 1,
        added: 0,
        removed: 0,
        moved: 1
      });
      const moved = diffNotebooks(
        notebook(
          { id: 'a', source: 'a()' },
          { id: 'b', source: 'b()' },
          { id: 'c', source: 'c = compute(1)' }
        ),
        notebook(
          { id: 'c', source: 'c = compute(2)' },
          { id: 'a', source: 'a()' },
          { id: 'b', source: 'b()' }
        )
      ).cells[0];
      expect(moved).toMatchObject({
        status: 'moved',
        sourceChanged: true,
        oldIndex: 2,
        newIndex: 0
      });
      expect(moved.lines?.added).toBe(1);
    });

    it('should match cells without ids by source, then position', () => {
      const diff = diffNotebooks(
        notebook(
          { source: 'import pandas' },
          { source: 'df = load(1)' },
          { cell_type: 'markdown', source: '## Results' },
          { source: 'plot(df)' }
        ),
        notebook(
          { source: 'import pandas' },
          { source: 'df = load(2)' },
          { source: 'plot(df)' },
          { cell_type: 'markdown', source: '## Results' }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 import pandas',
        'changed 1>1 df = load(2)',
        'moved 3>2 plot(df)',
        'unchanged 2>3 ## Results'
      ]);
      expect(diff.cells.map(cell => cell.matchedBy)).toEqual([
        'source',
        'position',
        'source',
        'source'
      ]);
    });

    it('should match a cell moved and edited, without ids, by likeness', () => {
      const diff = diffNotebooks(
        notebook(
          { source: 'model = build(layers=3, width=128)' },
          { source: 'data = load()' },
          { source: 'train(model, data)' }
        ),
        notebook(
          { source: 'data = load()' },
          { source: 'train(model, data)' },
          { source: 'model = build(layers=4, width=128)' }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 1>0 data = load()',
        'unchanged 2>1 train(model, data)',
        'moved 0>2 model = build(layers=4, width=128)'
      ]);
      expect(diff.cells[2]).toMatchObject({
        matchedBy: 'similarity',
        sourceChanged: true
      });
    });

    it('should not pair cells with different ids by position alone', () => {
      const diff = diffNotebooks(
        notebook({ id: 'a', source: 'a()' }, { id: 'b', source: 'x = 1' }),
        notebook(
          { id: 'a', source: 'a()' },
          { id: 'c', source: 'print("hello world")' }
        )
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 a()',
        'removed 1>- x = 1',
        'added ->1 print("hello world")'
      ]);
    });

    it('should pair edited cells with different ids when alike', () => {
      const diff = diffNotebooks(
        notebook({ id: 'a', source: 'a()' }, { id: 'b', source: 'x = f(1)' }),
        notebook({ id: 'a', source: 'a()' }, { id: 'c', source: 'x = f(2)' })
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 a()',
        'changed 1>1 x = f(2)'
      ]);
      expect(diff.cells[1].id).toBe('c');
    });

    it('should count a changed cell type as a change', () => {
      const diff = diffNotebooks(
        notebook({ id: 'a', source: 'Notes' }),
        notebook({ id: 'a', cell_type: 'markdown', source: 'Notes' })
      );
      expect(diff.cells[0]).toMatchObject({
        status: 'changed',
        oldType: 'code',
        newType: 'markdown',
        sourceChanged: false,
        lines: null
      });
      expect(diff.counts.changed).toBe(1);
    });

    it('should find every cell added to an empty notebook', () => {
      const diff = diffNotebooks(
        null,
        notebook({ source: 'a' }, { source: '' })
      );
      expect(outline(diff)).toEqual(['added ->0 a', 'added ->1 ']);
    });

    it('should keep blank cells to position', () => {
      const diff = diffNotebooks(
        notebook({ source: '' }, { source: 'a' }, { source: '' }),
        notebook({ source: '' }, { source: 'a' }, { source: '' })
      );
      expect(diff.identical).toBe(true);
    });
  });

  describe('#inOrder()', () => {
    it('should keep the longest run in order', () => {
      const pairs = [
        { old: 4, new: 0, by: 'id' as const },
        { old: 0, new: 1, by: 'id' as const },
        { old: 1, new: 2, by: 'id' as const },
        { old: 2, new: 3, by: 'id' as const },
        { old: 3, new: 4, by: 'id' as const }
      ];
      expect([...inOrder(pairs)].map(pair => pair.old).sort()).toEqual([
        0, 1, 2, 3
      ]);
    });
  });

  describe('#likeness()', () => {
    it.each([
      ['seed = 69', 'seed = 42', 0.5, 1],
      ['import numpy as np', 'df.plot()', 0, 0.2],
      ['', '', 1, 1],
      ['a  b', 'a b', 1, 1]
    ])('should rate %j and %j', (a, b, low, high) => {
      const value = likeness(a, b);
      expect(value).toBeGreaterThanOrEqual(low);
      expect(value).toBeLessThanOrEqual(high);
    });
  });
});

describe('compare/executions', () => {
  describe('#executedCells()', () => {
    it('should keep each cell once, last source at its first place', () => {
      expect(
        executedCells([
          execution(1, 'a', 'import x'),
          execution(2, 'b', 'lr = 0.1'),
          execution(3, null, 'print(1)'),
          execution(4, 'b', 'lr = 0.01'),
          execution(5, null, 'print(1)')
        ])
      ).toEqual([
        { id: 'a', type: 'code', source: 'import x' },
        { id: 'b', type: 'code', source: 'lr = 0.01' },
        { id: null, type: 'code', source: 'print(1)' }
      ]);
    });
  });

  describe('#diffExecutions()', () => {
    it('should diff the last execution of each cell by cell id', () => {
      const diff = diffExecutions(
        [
          execution(1, 'a', 'import random'),
          execution(2, 'b', 'seed = 7'),
          execution(3, 'b', 'seed = 69'),
          execution(4, 'c', 'fit()')
        ],
        [
          execution(1, 'a', 'import random'),
          execution(2, 'b', 'seed = 42'),
          execution(3, 'd', 'report()')
        ]
      );
      expect(outline(diff)).toEqual([
        'unchanged 0>0 import random',
        'changed 1>1 seed = 42',
        'removed 2>- fit()',
        'added ->2 report()'
      ]);
      const marks = diff.cells[1].lines!.hunks[0].lines.map(
        line => line.marks?.find(mark => mark.changed)?.text
      );
      expect(marks).toEqual(['69', '42']);
    });

    it('should find the same executions identical', () => {
      const runs = [execution(1, 'a', 'x = 1'), execution(2, null, 'y')];
      expect(diffExecutions(runs, runs).identical).toBe(true);
    });
  });
});

function structuredCloneOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
