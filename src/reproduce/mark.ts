import type { Reproduction } from './verdict';

/**
 * The mark a re-run's name and tab get from its verdict
 * (`re-run of calm-heron-7 ✓`), so the run list says what the re-run
 * showed without opening it.
 */
export function verdictMark(overall: Reproduction.Overall): string {
  switch (overall) {
    case 'reproduced':
      return '✓';
    case 'differs':
      return '✗';
    case 'incomplete':
      return '…';
  }
}
