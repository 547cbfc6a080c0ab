/**
 * Short lines for badges: "2 cells changed, 1 added", "Python 3.10 → 3.11,
 * 3 packages changed". Each piece is translated whole (with its plural
 * forms); only the list separator joins pieces, and it is translated too.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';

import type { CellDiff } from './cells';
import type { EnvDiff } from './env';

/**
 * The extension's translation domain.
 */
const DOMAIN = 'jupyterlab_runs';

/**
 * A count in a summary: the first count present names what is counted
 * ("2 cells changed"), the ones after it only say what happened ("1 added").
 */
type Count = {
  readonly count: number;
  readonly named: () => string;
  readonly short: () => string;
};

/**
 * A cell diff in a few words, e.g. "2 cells changed, 1 added"; "no changes"
 * when the cells are the same.
 */
export function summarizeCells(
  diff: CellDiff.Result,
  trans: TranslationBundle = nullTranslator.load(DOMAIN)
): string {
  const { changed, added, removed, moved } = diff.counts;
  const pieces = countPieces([
    {
      count: changed,
      named: () => trans._n('%1 cell changed', '%1 cells changed', changed),
      short: () => trans._np('cells', '%1 changed', '%1 changed', changed)
    },
    {
      count: added,
      named: () => trans._n('%1 cell added', '%1 cells added', added),
      short: () => trans._np('cells', '%1 added', '%1 added', added)
    },
    {
      count: removed,
      named: () => trans._n('%1 cell removed', '%1 cells removed', removed),
      short: () => trans._np('cells', '%1 removed', '%1 removed', removed)
    },
    {
      count: moved,
      named: () => trans._n('%1 cell moved', '%1 cells moved', moved),
      short: () => trans._np('cells', '%1 moved', '%1 moved', moved)
    }
  ]);
  return joinPieces(pieces, trans);
}

/**
 * An environment diff in a few words, e.g. "Python 3.10 → 3.11, 3 packages
 * changed, 1 added, git commit changed"; "no changes" when the
 * environments are the same.
 */
export function summarizeEnvironment(
  diff: EnvDiff.Result,
  trans: TranslationBundle = nullTranslator.load(DOMAIN)
): string {
  const pieces: string[] = [];
  const field = (name: EnvDiff.Field): EnvDiff.FieldChange | undefined =>
    diff.fields.find(change => change.field === name);
  const python = field('python');
  if (python) {
    pieces.push(
      trans.__('Python %1 → %2', python.old ?? '?', python.new ?? '?')
    );
  }
  const { changed, added, removed } = diff.counts;
  pieces.push(
    ...countPieces([
      {
        count: changed,
        named: () =>
          trans._n('%1 package changed', '%1 packages changed', changed),
        short: () => trans._np('packages', '%1 changed', '%1 changed', changed)
      },
      {
        count: added,
        named: () => trans._n('%1 package added', '%1 packages added', added),
        short: () => trans._np('packages', '%1 added', '%1 added', added)
      },
      {
        count: removed,
        named: () =>
          trans._n('%1 package removed', '%1 packages removed', removed),
        short: () => trans._np('packages', '%1 removed', '%1 removed', removed)
      }
    ])
  );
  const changedIn = (prefix: string): boolean =>
    diff.fields.some(change => change.field.startsWith(prefix));
  if (changedIn('kernel.') || changedIn('language') || changedIn('python.')) {
    pieces.push(trans.__('kernel changed'));
  }
  if (changedIn('platform')) {
    pieces.push(trans.__('platform changed'));
  }
  if (field('git.commit')) {
    pieces.push(trans.__('git commit changed'));
  } else if (changedIn('git.')) {
    pieces.push(trans.__('git state changed'));
  }
  return joinPieces(pieces, trans);
}

function countPieces(counts: readonly Count[]): string[] {
  return counts
    .filter(item => item.count > 0)
    .map((item, index) => (index === 0 ? item.named() : item.short()));
}

/**
 * The pieces as a list, or "no changes" when there are none.
 */
function joinPieces(
  pieces: readonly string[],
  trans: TranslationBundle
): string {
  if (pieces.length === 0) {
    return trans.__('no changes');
  }
  return pieces.reduce((list, piece) => trans.__('%1, %2', list, piece));
}
