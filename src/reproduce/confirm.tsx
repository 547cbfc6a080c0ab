import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { RerunOrder } from './plan';
import type { RerunPlan } from './prepare';

/**
 * The kernel a re-run will start, as the server knows it.
 */
export type RerunKernel = {
  /** The kernelspec name that starts, or null when the server has none. */
  readonly name: string | null;
  /** Its display name on this server, or null when it is not installed. */
  readonly displayName: string | null;
  /** Whether the snapshot named no kernel: the server's default starts. */
  readonly isDefault: boolean;
};

/**
 * The kernel a plan starts on a server with these kernelspecs: the
 * snapshot's, or the server's default when the snapshot names none.
 */
export function rerunKernel(
  plan: Pick<RerunPlan, 'kernelName'>,
  specs: {
    readonly default?: string;
    readonly kernelspecs?: Readonly<
      Record<string, { readonly display_name?: string } | undefined>
    >;
  } | null
): RerunKernel {
  const name = plan.kernelName ?? specs?.default ?? null;
  const spec = name !== null ? specs?.kernelspecs?.[name] : undefined;
  return {
    name,
    displayName:
      typeof spec?.display_name === 'string' ? spec.display_name : null,
    isDefault: plan.kernelName === null
  };
}

/**
 * The body of the dialog that asks before a stored run is executed: the
 * kernel that starts and every source that runs, in order. Stored text is
 * text: React renders it inertly, whatever markup it holds.
 */
export function RerunConfirmation(props: {
  plan: RerunPlan;
  kernel: RerunKernel;
  order: RerunOrder;
  trans: TranslationBundle;
}): React.ReactElement {
  const { plan, kernel, order, trans } = props;
  const stored = plan.kernelDisplayName;
  return (
    <div className="jp-RunsRerunConfirm">
      <p>
        {order === 'executed'
          ? trans.__(
              'The code below comes from the run store and will be executed in a new kernel, in the order the kernel ran it (%1 executions). Run it only if you trust whoever can write the store.',
              plan.steps.length
            )
          : trans.__(
              'The code below comes from the run store and will be executed in a new kernel, cell after cell (%1 cells). Run it only if you trust whoever can write the store.',
              plan.steps.length
            )}
      </p>
      <dl className="jp-RunsRerunConfirm-kernel">
        <dt>{trans.__('Kernel')}</dt>
        <dd>
          {kernel.name === null ? (
            trans.__('the server has no kernel to start')
          ) : (
            <>
              <span className="jp-RunsRerunConfirm-kernelDisplay">
                {kernel.displayName ??
                  stored ??
                  trans.__('not installed on this server')}
              </span>{' '}
              <code className="jp-RunsRerunConfirm-kernelName">
                {kernel.name}
              </code>
              {kernel.isDefault
                ? ` ${trans.__("(the server's default: the snapshot names no kernel)")}`
                : kernel.displayName === null
                  ? ` ${trans.__('(not installed on this server)')}`
                  : ''}
            </>
          )}
        </dd>
      </dl>
      <ol className="jp-RunsRerunConfirm-steps">
        {plan.steps.map((step, index) => (
          <li key={index}>
            <pre className="jp-RunsRerunConfirm-source">{step.source}</pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
