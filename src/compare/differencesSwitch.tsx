import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { differencesOnlyAtFirst } from './identical';

/**
 * Whether a table shows its differences only: on at first for a table of
 * more than a handful of rows, then as the user sets it.
 */
export function useDifferencesOnly(
  count: number
): [boolean, (on: boolean) => void] {
  return React.useState(() => differencesOnlyAtFirst(count));
}

/**
 * The "Differences only" switch over a table, with how many identical rows
 * it hides.
 */
export function DifferencesSwitch(props: {
  checked: boolean;
  onChange: (on: boolean) => void;
  hidden: number;
  trans: TranslationBundle;
}): React.ReactElement {
  const { checked, onChange, hidden, trans } = props;
  return (
    <div className="jp-RunsCompare-differencesOnly">
      <label>
        <input
          type="checkbox"
          role="switch"
          aria-checked={checked}
          checked={checked}
          onChange={event => onChange(event.target.checked)}
        />
        {trans.__('Differences only')}
      </label>
      {hidden > 0 && (
        <span className="jp-RunsCompare-hiddenCount" role="status">
          {trans._n(
            '%1 identical row hidden',
            '%1 identical rows hidden',
            hidden
          )}
        </span>
      )}
    </div>
  );
}
