import type { Runs } from '../tokens';

/**
 * The events with each `run_start` naming its kernel session, when known:
 * the store then files the run under its own session even while another
 * kernel records the same notebook.
 */
export function withSession(
  events: readonly Runs.KernelEvent[],
  session: string | null
): readonly Runs.KernelEvent[] {
  if (session === null) {
    return events;
  }
  return events.map(event =>
    event.kind === 'run_start' && event.session === undefined
      ? { ...event, session }
      : event
  );
}
