import { ActiveRunModel } from '../capture/model';
import type { Runs } from '../tokens';

let seq = 0;
const event = (
  kind: string,
  fields: Record<string, unknown> = {}
): Runs.KernelEvent => ({
  seq: ++seq,
  time: 1700000000 + seq,
  kind,
  run: 'run-a',
  ...fields
});

const runStart = (run: string, fields: Record<string, unknown> = {}) =>
  event('run_start', {
    run,
    name: `brave-otter-${run}`,
    reason: 'kernel-start',
    params: [],
    inherited: [],
    ...fields
  });

describe('ActiveRunModel', () => {
  let model: ActiveRunModel;
  let emissions: number;

  beforeEach(() => {
    seq = 0;
    model = new ActiveRunModel();
    emissions = 0;
    model.changed.connect(() => emissions++);
  });

  afterEach(() => {
    model.dispose();
  });

  describe('#applyEvents()', () => {
    it('should know no run before the kernel reports one', () => {
      model.applyEvents([event('session', { run: undefined, session: 's1' })]);
      expect(model.run).toBeNull();
      expect(emissions).toBe(0);
    });

    it('should follow a run from its start', () => {
      model.applyEvents([
        runStart('a', { params: [{ name: 'seed', value: 69 }] })
      ]);
      expect(model.run).toEqual({
        id: 'a',
        name: 'brave-otter-a',
        status: 'running',
        paramsCount: 1,
        metricsCount: 0
      });
      expect(emissions).toBe(1);
    });

    it('should count distinct parameters and metrics of the active run only', () => {
      model.applyEvents([
        runStart('a'),
        event('param', { run: 'a', name: 'seed', value: 69 }),
        event('param', { run: 'a', name: 'seed', value: 42 }),
        event('param', { run: 'a', name: 'alpha', value: 0.1 }),
        event('metric', { run: 'a', name: 'rmse', points: [[1, null, 1, 1]] }),
        event('metric', { run: 'a', name: 'rmse', points: [[2, null, 2, 2]] }),
        event('metric', { run: 'old', name: 'mae', points: [[2, null, 2, 2]] })
      ]);
      expect(model.run?.paramsCount).toBe(2);
      expect(model.run?.metricsCount).toBe(1);
      expect(emissions).toBe(1);
    });

    it('should take the status a run ended with', () => {
      model.applyEvents([runStart('a')]);
      model.applyEvents([event('run_end', { run: 'a', status: 'failed' })]);
      expect(model.run?.status).toBe('failed');
    });

    it('should switch to the next run', () => {
      model.applyEvents([
        runStart('a'),
        event('metric', { run: 'a', name: 'rmse' }),
        event('run_end', { run: 'a', status: 'finished' }),
        runStart('b', { reason: 'param-changed' })
      ]);
      expect(model.run).toEqual(
        expect.objectContaining({ id: 'b', status: 'running', metricsCount: 0 })
      );
    });

    it('should skip events replayed after a reconnection', () => {
      const start = runStart('a');
      const metric = event('metric', { run: 'a', name: 'rmse' });
      model.applyEvents([start, metric]);
      emissions = 0;
      model.applyEvents([start, metric]);
      expect(model.run?.metricsCount).toBe(1);
      expect(emissions).toBe(0);
    });

    it('should ignore the end of a run that is not the active one', () => {
      model.applyEvents([runStart('a')]);
      model.applyEvents([event('run_end', { run: 'z', status: 'failed' })]);
      expect(model.run?.status).toBe('running');
    });
  });

  describe('#adopt()', () => {
    it('should show the run the kernel reports active when attached', () => {
      model.adopt({
        id: 'r7',
        name: 'calm-heron-7',
        params: { seed: 69 },
        announced: true
      });
      expect(model.run).toEqual({
        id: 'r7',
        name: 'calm-heron-7',
        status: 'running',
        paramsCount: 1,
        metricsCount: 0
      });
      expect(emissions).toBe(1);
    });

    it("should show no run while nothing ran in the kernel's first one", () => {
      model.adopt({
        id: 'r8',
        name: 'quiet-lynx-8',
        params: {},
        announced: false
      });
      expect(model.run).toBeNull();
      expect(emissions).toBe(0);
    });

    it('should keep what it knows of a run it already follows', () => {
      model.applyEvents([
        runStart('a'),
        event('metric', { run: 'a', name: 'x' })
      ]);
      model.adopt({
        id: 'a',
        name: 'brave-otter-a',
        params: {},
        announced: true
      });
      model.adopt(null);
      expect(model.run?.metricsCount).toBe(1);
      expect(emissions).toBe(1);
    });
  });

  describe('#follow()', () => {
    const followed: Runs.ActiveRun = {
      id: 'r7',
      name: 'calm-heron-7',
      status: 'running',
      paramsCount: 2,
      metricsCount: 1
    };

    it("should show the run a collaborator's page follows, once per change", () => {
      model.follow(followed);
      model.follow({ ...followed });
      model.follow(null);
      model.follow({ ...followed, status: 'finished' });
      expect(model.run).toEqual({ ...followed, status: 'finished' });
      expect(emissions).toBe(2);
    });

    it('should count the names of a new run afresh once this page writes', () => {
      model.applyEvents([
        runStart('a'),
        event('metric', { run: 'a', name: 'x' })
      ]);
      model.follow({ ...followed, id: 'b', metricsCount: 0 });
      model.applyEvents([event('metric', { run: 'b', name: 'x' })]);
      expect(model.run?.metricsCount).toBe(1);
    });
  });

  describe('#markEnded()', () => {
    it('should mark a running run crashed, once', () => {
      model.applyEvents([runStart('a')]);
      model.markEnded('crashed');
      model.markEnded('finished');
      expect(model.run?.status).toBe('crashed');
      expect(emissions).toBe(2);
    });
  });

  describe('#resetSequence()', () => {
    it('should accept the events of a new kernel process, numbered from 1', () => {
      model.applyEvents([
        runStart('a'),
        event('metric', { run: 'a', name: 'x' })
      ]);
      model.resetSequence();
      seq = 0;
      model.applyEvents([runStart('b')]);
      expect(model.run?.id).toBe('b');
    });
  });

  describe('#capture', () => {
    it('should signal a change of capture state', () => {
      model.capture = 'recording';
      model.capture = 'recording';
      expect(model.capture).toBe('recording');
      expect(emissions).toBe(1);
    });
  });

  describe('#dispose()', () => {
    it('should be idempotent', () => {
      model.dispose();
      model.dispose();
      expect(model.isDisposed).toBe(true);
    });
  });
});
