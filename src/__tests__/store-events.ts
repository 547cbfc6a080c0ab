import type { Runs } from '../tokens';

/**
 * Kernel events as the helper sends them (docs/CAPTURE.md), numbered in
 * order from 1 like a kernel process does.
 */
export class KernelEvents {
  constructor(readonly session = 'session-1') {}

  /**
   * The time of the next event, epoch seconds.
   */
  time = 1_700_000_000;

  session_(
    env: Record<string, unknown> = { python: '3.11.4' }
  ): Runs.KernelEvent {
    return this._next('session', { session: this.session, env });
  }

  runStart(
    run: string,
    params: Record<string, Runs.Scalar> = {},
    inherited: number[] = []
  ): Runs.KernelEvent {
    return this._next('run_start', {
      run,
      name: `run ${run}`,
      reason: 'kernel-start',
      params: Object.entries(params).map(([name, value]) => ({
        name,
        value,
        source: 'assignment',
        detail: null,
        exec: 1
      })),
      inherited
    });
  }

  execution(run: string, exec: number, source: string): Runs.KernelEvent {
    return this._next('execution', {
      run,
      exec,
      cell_id: `cell-${exec}`,
      execution_count: exec,
      source,
      started: this.time,
      ended: this.time + 0.5,
      outcome: 'ok',
      error: null
    });
  }

  param(run: string, name: string, value: Runs.Scalar): Runs.KernelEvent {
    return this._next('param', {
      run,
      name,
      value,
      source: 'assignment',
      detail: null,
      exec: 1
    });
  }

  metric(
    run: string,
    name: string,
    values: readonly (number | string)[],
    firstStep = 0
  ): Runs.KernelEvent {
    return this._next('metric', {
      run,
      name,
      source: 'explicit',
      points: values.map((value, index) => [
        value,
        firstStep + index,
        this.time,
        1
      ])
    });
  }

  tag(run: string, key: string, value: string): Runs.KernelEvent {
    return this._next('tag', { run, key, value });
  }

  runEnd(run: string, status = 'finished'): Runs.KernelEvent {
    return this._next('run_end', { run, status });
  }

  private _next(
    kind: string,
    fields: Record<string, unknown>
  ): Runs.KernelEvent {
    this._seq += 1;
    this.time += 1;
    return { seq: this._seq, time: this.time, kind, ...fields };
  }

  private _seq = 0;
}
