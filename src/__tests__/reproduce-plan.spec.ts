import type { KernelMessage } from '@jupyterlab/services';

import { OutputCollector } from '../reproduce/outputs';
import {
  executedPlan,
  kernelNameOf,
  notebookPlan,
  rerunNotebook
} from '../reproduce/plan';
import { DEFAULT_TOLERANCE, toleranceOf } from '../reproduce/tolerance';
import type { StoredRun } from '../store/reader';
import { storedExecution as execution } from './stored-runs';

/**
 * An IOPub message of the given type and content.
 */
function iopub(
  msgType: string,
  content: Record<string, unknown>
): KernelMessage.IIOPubMessage {
  return {
    header: { msg_type: msgType },
    content
  } as unknown as KernelMessage.IIOPubMessage;
}

describe('re-run plans', () => {
  describe('#executedPlan()', () => {
    it('should run what the run inherited first, then its own, in kernel order', () => {
      const run = {
        inherited: [
          execution(2, 'b', 'import numpy'),
          execution(1, 'a', 'x = 1')
        ],
        executions: [execution(4, 'a', 'x = 2'), execution(3, 'c', 'fit()')]
      } as unknown as StoredRun.Run;
      expect(executedPlan(run)).toEqual([
        { cellId: 'a', source: 'x = 1' },
        { cellId: 'b', source: 'import numpy' },
        { cellId: 'c', source: 'fit()' },
        { cellId: 'a', source: 'x = 2' }
      ]);
    });
  });

  describe('#notebookPlan()', () => {
    it('should take the code cells top to bottom, skipping blank ones', () => {
      expect(
        notebookPlan({
          cells: [
            { cell_type: 'markdown', source: '# Title' },
            { cell_type: 'code', id: 'a', source: ['x = 1\n', 'y = 2'] },
            { cell_type: 'code', id: 'b', source: '  \n' },
            { cell_type: 'raw', source: 'raw' },
            { cell_type: 'code', source: 'print(x)' },
            'not a cell'
          ]
        })
      ).toEqual([
        { cellId: 'a', source: 'x = 1\ny = 2' },
        { cellId: null, source: 'print(x)' }
      ]);
      expect(notebookPlan({})).toEqual([]);
    });
  });

  describe('#kernelNameOf()', () => {
    it.each([
      [{ metadata: { kernelspec: { name: 'python3' } } }, 'python3'],
      [{ metadata: { kernelspec: { name: '' } } }, null],
      [{ metadata: {} }, null],
      [null, null]
    ])('should find in %j the kernel %s', (notebook, name) => {
      expect(kernelNameOf(notebook)).toBe(name);
    });
  });

  describe('#rerunNotebook()', () => {
    it('should give one code cell per step, with distinct ids and its outputs', () => {
      const steps = [
        { cellId: 'a', source: 'x = 1' },
        { cellId: 'a', source: 'x = 2' },
        { cellId: null, source: 'print(x)' }
      ];
      const notebook = rerunNotebook(
        steps,
        [
          { executionCount: 1, outputs: [] },
          { executionCount: 2, outputs: [] },
          {
            executionCount: 3,
            outputs: [{ output_type: 'stream', name: 'stdout', text: '2\n' }]
          }
        ],
        { kernelspec: { name: 'python3' } }
      );
      const cells = notebook.cells as Record<string, unknown>[];
      expect(cells.map(cell => cell.id)).toEqual(['a-1', 'a-2', 'cell-3']);
      expect(cells[2]).toMatchObject({
        cell_type: 'code',
        source: 'print(x)',
        execution_count: 3,
        outputs: [{ output_type: 'stream', text: '2\n' }]
      });
      expect(notebook).toMatchObject({
        nbformat: 4,
        metadata: { kernelspec: { name: 'python3' } }
      });
    });

    it('should leave out the steps that did not run', () => {
      const notebook = rerunNotebook(
        [
          { cellId: 'a', source: '1/0' },
          { cellId: 'b', source: 'never' }
        ],
        [{ executionCount: 1, outputs: [] }],
        {}
      );
      expect(notebook.cells).toHaveLength(1);
    });
  });

  describe('OutputCollector', () => {
    it('should build nbformat outputs as a notebook shows them', () => {
      const collector = new OutputCollector();
      collector.add(iopub('status', { execution_state: 'busy' }));
      collector.add(iopub('stream', { name: 'stdout', text: 'a' }));
      collector.add(iopub('stream', { name: 'stdout', text: 'b\n' }));
      collector.add(iopub('stream', { name: 'stderr', text: 'warn\n' }));
      collector.add(
        iopub('display_data', {
          data: { 'text/plain': 'plot' },
          metadata: {},
          transient: { display_id: 'd1' }
        })
      );
      collector.add(
        iopub('execute_result', {
          execution_count: 3,
          data: { 'text/plain': '42' },
          metadata: {}
        })
      );
      expect(collector.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'ab\n' },
        { output_type: 'stream', name: 'stderr', text: 'warn\n' },
        {
          output_type: 'display_data',
          data: { 'text/plain': 'plot' },
          metadata: {}
        },
        {
          output_type: 'execute_result',
          execution_count: 3,
          data: { 'text/plain': '42' },
          metadata: {}
        }
      ]);
    });

    it('should clear at once, or at the next output when asked to wait', () => {
      const collector = new OutputCollector();
      collector.add(iopub('stream', { name: 'stdout', text: '10%' }));
      collector.add(iopub('clear_output', { wait: true }));
      expect(collector.outputs).toHaveLength(1);
      collector.add(iopub('stream', { name: 'stdout', text: '100%' }));
      expect(collector.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: '100%' }
      ]);
      collector.add(iopub('clear_output', { wait: false }));
      expect(collector.outputs).toEqual([]);
      collector.add(
        iopub('error', { ename: 'ValueError', evalue: 'bad', traceback: [] })
      );
      expect(collector.outputs).toEqual([
        {
          output_type: 'error',
          ename: 'ValueError',
          evalue: 'bad',
          traceback: []
        }
      ]);
    });
  });

  describe('#toleranceOf()', () => {
    it('should read the settings, falling back for values out of range', () => {
      expect(
        toleranceOf({ relativeTolerance: 1e-6, absoluteTolerance: 0.01 })
      ).toEqual({ relative: 1e-6, absolute: 0.01 });
      expect(
        toleranceOf({ relativeTolerance: -1, absoluteTolerance: 'x' })
      ).toEqual(DEFAULT_TOLERANCE);
    });
  });
});
