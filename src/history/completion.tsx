/**
 * The sidebar's filter input, offering the field names of the runs listed
 * while a query is typed (`params.se` → `params.seed`): a combobox with a
 * list of names under it, as ARIA's combobox pattern describes.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { KnownFields } from './query';
import { knownFields } from './query';
import type { Completion } from './query/complete';
import { completeField } from './query/complete';

/**
 * What the runs listed record, as `knownFields` reads it.
 */
type RecordedRun = {
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, unknown>>;
};

/**
 * A text input completing field names. It is controlled: `value` is the
 * text, `onValue` is told of every change, typed or accepted.
 *
 * #### Notes
 * With the list open, ArrowDown/ArrowUp move through the names, Tab or
 * Enter take one, Escape closes the list; otherwise keys go to `onKeyDown`.
 */
export function CompletingInput(props: {
  value: string;
  onValue: (value: string) => void;
  runs: readonly RecordedRun[];
  trans: TranslationBundle;
  onKeyDown?: (event: React.KeyboardEvent<HTMLInputElement>) => void;
  inputProps?: Omit<
    React.InputHTMLAttributes<HTMLInputElement>,
    'value' | 'onChange' | 'onKeyDown' | 'role'
  >;
}): React.ReactElement {
  const { value, onValue, runs, trans } = props;
  const listId = `jp-RunsCompletion-${React.useId().replace(/:/g, '')}`;
  const input = React.useRef<HTMLInputElement>(null);
  const [completion, setCompletion] = React.useState<Completion | null>(null);
  const [active, setActive] = React.useState(0);
  // Where the caret goes once an accepted name is in the input.
  const caret = React.useRef<number | null>(null);
  // Read the runs' names only when there is a word to complete, and once
  // for each list of runs: thousands of runs take a moment.
  const known = React.useRef<{ runs: unknown; fields: KnownFields } | null>(
    null
  );

  React.useLayoutEffect(() => {
    if (caret.current !== null && input.current) {
      input.current.setSelectionRange(caret.current, caret.current);
      caret.current = null;
    }
  });

  const fields = (): KnownFields | null => {
    if (runs.length === 0) {
      return null;
    }
    if (known.current?.runs !== runs) {
      known.current = { runs, fields: knownFields(runs) };
    }
    return known.current.fields;
  };

  const suggest = (node: HTMLInputElement) => {
    const at = node.selectionStart ?? node.value.length;
    // A selection is to be replaced by what is typed next: nothing to offer.
    const selected = (node.selectionEnd ?? at) !== at;
    setCompletion(selected ? null : completeField(node.value, at, fields()));
    setActive(0);
  };

  const accept = (option: string) => {
    if (!completion) {
      return;
    }
    const text =
      value.slice(0, completion.from) + option + value.slice(completion.to);
    caret.current = completion.from + option.length;
    setCompletion(null);
    onValue(text);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (completion && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const count = completion.options.length;
      switch (event.key) {
        case 'ArrowDown':
        case 'ArrowUp':
          event.preventDefault();
          setActive(
            (active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count
          );
          return;
        case 'Tab':
        case 'Enter':
          if (event.shiftKey) {
            break;
          }
          event.preventDefault();
          accept(completion.options[Math.min(active, count - 1)]);
          return;
        case 'Escape':
          // Only the list closes; a second Escape does what it always does.
          event.preventDefault();
          event.stopPropagation();
          setCompletion(null);
          return;
        case 'ArrowLeft':
        case 'ArrowRight':
        case 'Home':
        case 'End':
          // The caret leaves the word the names were offered for.
          setCompletion(null);
          break;
      }
    }
    props.onKeyDown?.(event);
  };

  const open = completion !== null;
  return (
    <div className="jp-RunsCompletion">
      <input
        {...props.inputProps}
        ref={input}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        value={value}
        onKeyDown={onKeyDown}
        onChange={event => {
          onValue(event.currentTarget.value);
          suggest(event.currentTarget);
        }}
        onMouseDown={() => setCompletion(null)}
        onBlur={() => setCompletion(null)}
      />
      {completion && (
        <ul
          id={listId}
          role="listbox"
          className="jp-RunsCompletion-list"
          aria-label={trans.__('Field names')}
        >
          {completion.options.map((option, index) => (
            <li
              key={option}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={
                index === active
                  ? 'jp-RunsCompletion-option jp-mod-active'
                  : 'jp-RunsCompletion-option'
              }
              // Keep the focus, and the caret, in the input.
              onMouseDown={event => event.preventDefault()}
              onClick={() => accept(option)}
            >
              {option}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
