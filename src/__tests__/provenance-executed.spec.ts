import { asExecuted, hiddenStateCounts } from '../provenance/executed';
import {
  codeNotebook as notebook,
  storedExecution as execution
} from './stored-runs';

describe('as executed', () => {
  const snapshot = notebook([
    ['load', 'X = load()'],
    ['seed', 'seed = 42'],
    ['fit', 'model = fit(X, seed)']
  ]);

  it('should mark a cell run above the one run before it', () => {
    const steps = asExecuted(
      {
        inherited: [],
        executions: [
          execution(1, 'load', 'X = load()'),
          execution(2, 'fit', 'model = fit(X, seed)'),
          execution(3, 'seed', 'seed = 42'),
          execution(4, 'fit', 'model = fit(X, seed)')
        ]
      },
      snapshot,
      snapshot
    );
    expect(
      steps.map(step => [step.cellId, step.position, step.outOfOrder])
    ).toEqual([
      ['load', 0, false],
      ['fit', 2, false],
      ['seed', 1, true],
      ['fit', 2, false]
    ]);
    expect(hiddenStateCounts(steps).outOfOrder).toBe(1);
  });

  it('should mark cells edited after they ran, and edited or deleted since', () => {
    const current = notebook([
      ['seed', 'seed = 7'],
      ['fit', 'model = fit(X, seed)']
    ]);
    const steps = asExecuted(
      {
        inherited: [execution(1, 'load', 'X = load()')],
        executions: [
          execution(2, 'seed', 'seed = 69'),
          execution(3, 'fit', 'model = fit(X, seed)')
        ]
      },
      snapshot,
      current
    );
    expect(
      steps.map(step => [
        step.cellId,
        step.inherited,
        step.editedAfterRun,
        step.now
      ])
    ).toEqual([
      ['load', true, false, 'deleted'],
      ['seed', false, true, 'edited'],
      ['fit', false, false, 'same']
    ]);
    expect(hiddenStateCounts(steps)).toEqual({
      outOfOrder: 0,
      editedAfterRun: 1,
      editedSince: 1,
      deletedSince: 1
    });
  });

  it('should say nothing it cannot know', () => {
    const steps = asExecuted(
      {
        inherited: [],
        executions: [execution(2, null, 'x = 1'), execution(1, 'gone', 'y')]
      },
      null,
      null
    );
    // In kernel order, without places or a notebook to compare with.
    expect(steps.map(step => [step.exec, step.position, step.now])).toEqual([
      [1, null, 'unknown'],
      [2, null, 'unknown']
    ]);
    expect(steps.some(step => step.outOfOrder || step.editedAfterRun)).toBe(
      false
    );
  });
});
