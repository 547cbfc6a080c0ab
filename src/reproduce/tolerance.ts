import type { Reproduction } from './verdict';

/**
 * The default tolerance: a relative difference of 1e-9 (what floating-point
 * noise leaves on the same computation), no absolute slack.
 */
export const DEFAULT_TOLERANCE: Reproduction.Tolerance = {
  relative: 1e-9,
  absolute: 0
};

/**
 * The tolerance the settings give; a value that is not a number of 0 or
 * more falls back to the default.
 */
export function toleranceOf(
  composite: Readonly<Record<string, unknown>>
): Reproduction.Tolerance {
  const read = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? value
      : fallback;
  return {
    relative: read(composite.relativeTolerance, DEFAULT_TOLERANCE.relative),
    absolute: read(composite.absoluteTolerance, DEFAULT_TOLERANCE.absolute)
  };
}
