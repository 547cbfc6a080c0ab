import type { DisplayedExecution, KernelExecution } from '../capture/linker';
import { kernelExecution, OutputLinker } from '../capture/linker';
import type { Runs } from '../tokens';

const kernel = (
  executionCount: number,
  fields: Partial<KernelExecution> = {}
): KernelExecution => ({
  run: 'run-1',
  exec: executionCount + 100,
  cellId: `cell-${executionCount}`,
  executionCount,
  ...fields
});

const displayed = (
  executionCount: number,
  fields: Partial<DisplayedExecution> = {}
): DisplayedExecution => ({
  cellId: `cell-${executionCount}`,
  executionCount,
  outputs: [
    { output_type: 'stream', name: 'stdout', text: `${executionCount}` }
  ],
  ...fields
});

describe('OutputLinker', () => {
  let matched: Runs.ExecutionOutputs[];
  let linker: OutputLinker;

  beforeEach(() => {
    matched = [];
    linker = new OutputLinker({
      onMatch: outputs => matched.push(outputs),
      limit: 3
    });
  });

  describe('#addKernelExecution()', () => {
    it('should link outputs displayed before the kernel reported the execution', () => {
      linker.addDisplayed(displayed(1));
      expect(matched).toEqual([]);
      linker.addKernelExecution(kernel(1));
      expect(matched).toEqual([
        { run: 'run-1', exec: 101, outputs: displayed(1).outputs }
      ]);
    });

    it('should link a kernel execution that carries no cell id by its count', () => {
      linker.addDisplayed(displayed(2));
      linker.addKernelExecution(kernel(2, { cellId: null }));
      expect(matched).toHaveLength(1);
    });
  });

  describe('#addDisplayed()', () => {
    it('should link outputs displayed after the kernel reported the execution', () => {
      linker.addKernelExecution(kernel(1));
      linker.addDisplayed(displayed(1));
      expect(matched).toEqual([
        { run: 'run-1', exec: 101, outputs: displayed(1).outputs }
      ]);
    });

    it('should link each execution once, to its own outputs', () => {
      linker.addKernelExecution(kernel(1));
      linker.addKernelExecution(kernel(2));
      linker.addDisplayed(displayed(2));
      linker.addDisplayed(displayed(1));
      linker.addDisplayed(displayed(1));
      expect(matched.map(match => match.exec)).toEqual([102, 101]);
    });

    it('should not link a count to a cell that did not run it', () => {
      linker.addKernelExecution(kernel(1, { cellId: 'other-cell' }));
      linker.addDisplayed(displayed(1));
      expect(matched).toEqual([]);
    });
  });

  describe('#reset()', () => {
    it('should forget unmatched entries of the previous kernel process', () => {
      linker.addKernelExecution(kernel(1));
      linker.reset();
      linker.addDisplayed(displayed(1));
      expect(matched).toEqual([]);
    });
  });

  describe('limit', () => {
    it('should keep only the newest unmatched entries', () => {
      for (const count of [1, 2, 3, 4]) {
        linker.addDisplayed(displayed(count));
      }
      linker.addKernelExecution(kernel(1));
      linker.addKernelExecution(kernel(4));
      expect(matched.map(match => match.exec)).toEqual([104]);
    });
  });
});

describe('#kernelExecution()', () => {
  const event = (fields: Record<string, unknown>): Runs.KernelEvent => ({
    seq: 5,
    time: 1700000000.5,
    kind: 'execution',
    run: 'run-1',
    exec: 3,
    cell_id: 'abc',
    execution_count: 7,
    source: 'x = 1',
    ...fields
  });

  it('should read what links an execution event', () => {
    expect(kernelExecution(event({}))).toEqual({
      run: 'run-1',
      exec: 3,
      cellId: 'abc',
      executionCount: 7
    });
  });

  it.each([
    ['another kind of event', { kind: 'metric' }],
    ['a silent execution, without count', { execution_count: null }],
    ['an event without run', { run: undefined }]
  ])('should skip %s', (_, fields) => {
    expect(kernelExecution(event(fields))).toBeNull();
  });

  it('should read a missing cell id as unknown', () => {
    expect(kernelExecution(event({ cell_id: null }))?.cellId).toBeNull();
  });
});
