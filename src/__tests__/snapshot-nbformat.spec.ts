import { execFileSync } from 'child_process';

import {
  folderOf,
  restoredFileName,
  restoredFrom,
  restoredNotebook,
  safeName,
  siblingPath,
  toNotebookContent
} from '../snapshot/nbformat';
import { PYTHON } from './python';

/**
 * A snapshot's notebook as the store gives it back (`snapshotNotebook` in
 * src/store/snapshot.ts): cells of every kind, trusted as a live notebook's
 * executed cells are.
 */
function snapshotJSON(): Record<string, unknown> {
  return {
    cells: [
      {
        id: 'a1b2c3',
        cell_type: 'markdown',
        metadata: { tags: ['intro'] },
        source: '# Train\n![plot](attachment:plot.png)',
        attachments: { 'plot.png': { 'image/png': 'iVBORw0KGgo=' } }
      },
      {
        id: 'train-cell',
        cell_type: 'code',
        metadata: { trusted: true, collapsed: false },
        source: 'seed = 69\r\nprint("rmse: 6.61")  \t\n',
        execution_count: 3,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'rmse: 6.61\n' },
          {
            output_type: 'execute_result',
            execution_count: 3,
            data: { 'text/plain': '42', 'text/html': '<b>42</b>' },
            metadata: {}
          },
          {
            output_type: 'display_data',
            data: { 'text/html': '<img src=x onerror="alert(1)">' },
            metadata: { isolated: true },
            transient: { display_id: 'd1' }
          },
          {
            output_type: 'error',
            ename: 'ValueError',
            evalue: 'bad',
            traceback: ['Traceback', 'ValueError: bad']
          }
        ]
      },
      {
        id: 'raw',
        cell_type: 'raw',
        metadata: { format: 'text/x-python' },
        source: 'raw text'
      }
    ],
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3 (ipykernel)',
        language: 'python'
      },
      language_info: { name: 'python', version: '3.11.2' },
      jupyterlab_runs: { tracking: true }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/**
 * The problems nbformat's own validator (Debian's Python) finds in a
 * notebook; empty when it is valid.
 */
function nbformatProblems(notebook: unknown): string {
  const script = [
    'import sys, nbformat',
    'nb = nbformat.reads(sys.stdin.read(), as_version=nbformat.NO_CONVERT)',
    'try:',
    '    nbformat.validate(nb)',
    'except nbformat.ValidationError as error:',
    '    print(error.message)'
  ].join('\n');
  return execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(notebook),
    encoding: 'utf-8'
  }).trim();
}

describe('snapshot nbformat', () => {
  describe('#toNotebookContent()', () => {
    it('should keep every cell as it stood, untrusted', () => {
      const notebook = toNotebookContent(snapshotJSON());
      const original = snapshotJSON().cells as Record<string, unknown>[];
      expect(notebook.cells.map(cell => cell.source)).toEqual(
        original.map(cell => cell.source)
      );
      expect(notebook.cells.map(cell => cell.id)).toEqual([
        'a1b2c3',
        'train-cell',
        'raw'
      ]);
      const [markdown, code, raw] = notebook.cells;
      expect(markdown.attachments).toEqual(original[0].attachments);
      expect(markdown.metadata).toEqual({ tags: ['intro'] });
      expect(code.metadata).toEqual({ collapsed: false });
      expect(code.execution_count).toBe(3);
      expect(raw.metadata).toEqual({ format: 'text/x-python' });
      expect(notebook.metadata).toEqual(snapshotJSON().metadata);
    });

    it('should keep only the fields nbformat allows for each output', () => {
      const code = toNotebookContent(snapshotJSON()).cells[1];
      expect(code.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'rmse: 6.61\n' },
        {
          output_type: 'execute_result',
          execution_count: 3,
          data: { 'text/plain': '42', 'text/html': '<b>42</b>' },
          metadata: {}
        },
        {
          output_type: 'display_data',
          data: { 'text/html': '<img src=x onerror="alert(1)">' },
          metadata: { isolated: true }
        },
        {
          output_type: 'error',
          ename: 'ValueError',
          evalue: 'bad',
          traceback: ['Traceback', 'ValueError: bad']
        }
      ]);
    });

    it('should be valid nbformat for nbformat itself', () => {
      expect(nbformatProblems(toNotebookContent(snapshotJSON()))).toBe('');
    });

    it.each([
      ['missing', [undefined, undefined], ['cell-1', 'cell-2']],
      ['repeated', ['same', 'same'], ['same', 'cell-2']],
      ['malformed', ['has space', 'x'.repeat(65)], ['cell-1', 'cell-2']],
      ['taken by a later cell', [undefined, 'cell-1'], ['cell-1-2', 'cell-1']],
      [
        'taken by an earlier cell',
        ['cell-2', undefined],
        ['cell-2', 'cell-2-2']
      ]
    ])('should give a unique id for ids %s', (_, ids, expected) => {
      const notebook = toNotebookContent({
        cells: ids.map(id => ({
          ...(id === undefined ? {} : { id }),
          cell_type: 'code',
          source: ''
        }))
      });
      expect(notebook.cells.map(cell => cell.id)).toEqual(expected);
      expect(nbformatProblems(notebook)).toBe('');
    });

    it('should mend what nbformat would refuse', () => {
      const notebook = toNotebookContent({
        cells: [
          {
            cell_type: 'markdown',
            source: ['# A\n', 'b'],
            outputs: [{ output_type: 'stream', name: 'stdout', text: 'x' }],
            execution_count: 4,
            metadata: null
          },
          {
            cell_type: 'heading',
            source: null,
            metadata: { trusted: false }
          },
          {
            cell_type: 'code',
            source: 'x',
            execution_count: 'soon',
            attachments: { a: {} },
            outputs: [
              { output_type: 'stream', name: 'stdin', text: ['a', 'b'] },
              { output_type: 'update_display_data', data: {} },
              'not an output',
              { output_type: 'execute_result' }
            ]
          }
        ],
        metadata: {
          signature: 'sha256:0',
          orig_nbformat: 3,
          kernelspec: { name: 'python3', display_name: 'Python 3' }
        },
        nbformat: 4,
        nbformat_minor: 2
      });
      expect(notebook.nbformat).toBe(4);
      expect(notebook.nbformat_minor).toBe(5);
      expect(notebook.metadata).toEqual({
        kernelspec: { name: 'python3', display_name: 'Python 3' }
      });
      expect(notebook.cells).toEqual([
        { id: 'cell-1', cell_type: 'markdown', metadata: {}, source: '# A\nb' },
        { id: 'cell-2', cell_type: 'raw', metadata: {}, source: '' },
        {
          id: 'cell-3',
          cell_type: 'code',
          metadata: {},
          source: 'x',
          execution_count: null,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: 'ab' },
            {
              output_type: 'execute_result',
              execution_count: null,
              data: {},
              metadata: {}
            }
          ]
        }
      ]);
      expect(nbformatProblems(notebook)).toBe('');
    });

    it('should give an empty notebook for a snapshot without cells', () => {
      const notebook = toNotebookContent({ nbformat: 4, nbformat_minor: 7 });
      expect(notebook).toEqual({
        cells: [],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 7
      });
      expect(nbformatProblems(notebook)).toBe('');
    });

    it('should change nothing the second time', () => {
      const once = toNotebookContent(snapshotJSON());
      expect(toNotebookContent(once)).toEqual(once);
    });
  });

  describe('#restoredNotebook()', () => {
    const from = restoredFrom(
      'analysis/train.ipynb',
      { id: 'run-1', name: 'swift-otter-1' },
      Date.UTC(2026, 10, 26, 15, 44, 0, 123)
    );

    it('should say where it came from', () => {
      expect(from).toEqual({
        notebook: 'analysis/train.ipynb',
        run: 'run-1',
        run_name: 'swift-otter-1',
        snapshot_time: '2026-11-26T15:44:00.123Z'
      });
      const notebook = restoredNotebook(snapshotJSON(), from);
      // Tracking is on unless turned off.
      expect(notebook.metadata.jupyterlab_runs).toEqual({
        restored_from: from
      });
      expect(notebook.metadata.kernelspec).toEqual(
        (snapshotJSON().metadata as Record<string, unknown>).kernelspec
      );
      expect(notebook.cells).toEqual(toNotebookContent(snapshotJSON()).cells);
      expect(nbformatProblems(notebook)).toBe('');
    });

    it('should leave tracking on, and replace an earlier provenance', () => {
      const snapshot = {
        ...snapshotJSON(),
        metadata: {
          jupyterlab_runs: {
            tracking: false,
            restored_from: { run: 'older' },
            other: 1
          }
        }
      };
      expect(restoredNotebook(snapshot, from).metadata.jupyterlab_runs).toEqual(
        { other: 1, restored_from: from }
      );
    });
  });

  describe('#restoredFileName()', () => {
    // Local time, as the name shows it.
    const startedAt = new Date(2026, 10, 26, 15, 44, 59).getTime();
    const run = { name: 'swift-otter-1', startedAt };

    it('should name the notebook, the run and when it started', () => {
      expect(restoredFileName('analysis/train.ipynb', run, [])).toBe(
        'train (swift-otter-1 2026-11-26 15-44).ipynb'
      );
    });

    it('should number the name while it is taken, ignoring case', () => {
      const taken = [
        'train (swift-otter-1 2026-11-26 15-44).ipynb',
        'TRAIN (swift-otter-1 2026-11-26 15-44) (2).IPYNB',
        'train.ipynb'
      ];
      expect(restoredFileName('train.ipynb', run, taken)).toBe(
        'train (swift-otter-1 2026-11-26 15-44) (3).ipynb'
      );
    });

    it.each([
      [
        'slashes and markup',
        'a/b\\c<img src=x onerror=alert(1)>',
        'a-b-c-img src-x onerror-alert-1'
      ],
      ['dots at the start', '../../etc/passwd', 'etc-passwd'],
      [
        'control characters',
        'line\nbreak\u0000nul\u202Eltr',
        'line-break-nul-ltr'
      ],
      ['reserved characters', 'a:b*c?d"e|f', 'a-b-c-d-e-f'],
      ['letters of any script', 'Überprüfung 実験 №1', 'Überprüfung 実験 -1'],
      ['emoji', 'run 😀 1', 'run - 1'],
      ['nothing usable', '<<>>', 'run']
    ])('should keep safe characters of %s', (_, name, expected) => {
      expect(restoredFileName('nb.ipynb', { name, startedAt }, [])).toBe(
        `nb (${expected} 2026-11-26 15-44).ipynb`
      );
    });

    it('should never start with a dot, nor leave the folder', () => {
      const name = restoredFileName('.hidden.ipynb', run, []);
      expect(name).toBe('hidden (swift-otter-1 2026-11-26 15-44).ipynb');
      expect(restoredFileName('....ipynb', run, [])).toMatch(/^notebook \(/);
      expect(siblingPath('a/b/.hidden.ipynb', name)).toBe(`a/b/${name}`);
      expect(siblingPath('top.ipynb', name)).toBe(name);
      for (const bad of ['', '.', '..', 'a/b.ipynb', 'a\\b.ipynb']) {
        expect(() => siblingPath('a/x.ipynb', bad)).toThrow();
      }
      expect(folderOf('a/b/c.ipynb')).toBe('a/b');
      expect(folderOf('c.ipynb')).toBe('');
    });

    it('should cut long names to a file name file systems take', () => {
      const name = restoredFileName(
        `${'ü'.repeat(300)}.ipynb`,
        { name: '実'.repeat(100), startedAt },
        []
      );
      expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(255);
      expect(name).toMatch(/^ü{60} \(実{20} 2026-11-26 15-44\)\.ipynb$/);
    });
  });

  describe('#safeName()', () => {
    it('should cut at whole characters within the bytes given', () => {
      expect(safeName('ab実c', 4)).toBe('ab');
      expect(safeName('ab実c', 5)).toBe('ab実');
      expect(safeName('  -- x --  ', 10)).toBe('x');
    });
  });
});
