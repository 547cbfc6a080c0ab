import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { RerunConfirmation, rerunKernel } from '../reproduce/confirm';
import type { RerunPlan } from '../reproduce/prepare';
import { kernelDisplayNameOf } from '../reproduce/prepare';
import { storedRun } from './stored-runs';

const trans = nullTranslator.load('jupyterlab_runs');
const HOSTILE = '<img src=x onerror="window.ran=1">';

function plan(kernelName: string | null): RerunPlan {
  return {
    original: storedRun({ id: 'r1', name: 'swift-otter-1' }),
    notebook: null,
    steps: [
      { cellId: 'a', source: 'seed = 42' },
      { cellId: 'b', source: `print("${HOSTILE}")` }
    ],
    kernelName,
    kernelDisplayName: 'Python 3 (stored)'
  };
}

const SPECS = {
  default: 'python3',
  kernelspecs: { python3: { display_name: 'Python 3 (ipykernel)' } }
};

describe('RerunConfirmation', () => {
  describe('#rerunKernel()', () => {
    it.each([
      [
        'python3',
        {
          name: 'python3',
          displayName: 'Python 3 (ipykernel)',
          isDefault: false
        }
      ],
      [
        null,
        {
          name: 'python3',
          displayName: 'Python 3 (ipykernel)',
          isDefault: true
        }
      ],
      [
        'julia-1.10',
        { name: 'julia-1.10', displayName: null, isDefault: false }
      ]
    ])('should name the kernel that starts for %s', (name, expected) => {
      expect(rerunKernel({ kernelName: name }, SPECS)).toEqual(expected);
    });
  });

  describe('#kernelDisplayNameOf()', () => {
    it('should read the stored display name, or null', () => {
      expect(
        kernelDisplayNameOf({
          metadata: { kernelspec: { name: 'python3', display_name: 'Py' } }
        })
      ).toBe('Py');
      expect(kernelDisplayNameOf({ metadata: {} })).toBeNull();
      expect(kernelDisplayNameOf(null)).toBeNull();
    });
  });

  it('should list every source that runs and the kernel, as text', async () => {
    const shown = plan('python3');
    const widget = ReactWidget.create(
      <RerunConfirmation
        plan={shown}
        kernel={rerunKernel(shown, SPECS)}
        order="executed"
        trans={trans}
      />
    );
    Widget.attach(widget, document.body);
    MessageLoop.flush();
    await widget.renderPromise;
    const host = widget.node;

    const sources = [
      ...host.querySelectorAll('.jp-RunsRerunConfirm-source')
    ].map(node => node.textContent);
    expect(sources).toEqual(['seed = 42', `print("${HOSTILE}")`]);
    expect(host.querySelector('img')).toBeNull();
    expect(
      host.querySelector('.jp-RunsRerunConfirm-kernelName')?.textContent
    ).toBe('python3');
    expect(
      host.querySelector('.jp-RunsRerunConfirm-kernelDisplay')?.textContent
    ).toBe('Python 3 (ipykernel)');
    widget.dispose();
  });
});
