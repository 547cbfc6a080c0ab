import { nullTranslator } from '@jupyterlab/translation';

import { diffNotebooks } from '../compare/cells';
import { diffEnvironments } from '../compare/env';
import { summarizeCells, summarizeEnvironment } from '../compare/summary';

function notebook(...sources: [string, string][]): Record<string, unknown> {
  return {
    cells: sources.map(([id, source]) => ({ id, cell_type: 'code', source }))
  };
}

describe('compare/summary', () => {
  describe('#summarizeCells()', () => {
    it.each([
      [[['a', 'x']], [['a', 'x']], 'no changes'],
      [[['a', 'x']], [['a', 'y']], '1 cell changed'],
      [
        [
          ['a', 'x = 1'],
          ['b', 'y = 1']
        ],
        [
          ['a', 'x = 2'],
          ['b', 'y = 2'],
          ['c', 'z']
        ],
        '2 cells changed, 1 added'
      ],
      [[['a', 'x']], [], '1 cell removed'],
      [
        [
          ['a', 'a()'],
          ['b', 'b()'],
          ['c', 'c()']
        ],
        [
          ['c', 'c()'],
          ['a', 'a()'],
          ['b', 'b()'],
          ['d', 'd()'],
          ['e', 'e()']
        ],
        '2 cells added, 1 moved'
      ]
    ] as [[string, string][], [string, string][], string][])(
      'should sum up %j → %j as %j',
      (a, b, expected) => {
        expect(
          summarizeCells(diffNotebooks(notebook(...a), notebook(...b)))
        ).toBe(expected);
      }
    );

    it('should translate each piece and the separator', () => {
      const trans = nullTranslator.load('jupyterlab_runs');
      const spies = [
        jest.spyOn(trans, '__'),
        jest.spyOn(trans, '_n'),
        jest.spyOn(trans, '_np')
      ];
      try {
        const diff = diffNotebooks(
          notebook(['a', 'x'], ['b', 'y']),
          notebook(['a', 'z'])
        );
        expect(summarizeCells(diff, trans)).toBe('1 cell changed, 1 removed');
        expect(spies.map(spy => spy.mock.calls.map(call => call[0]))).toEqual([
          ['%1, %2'],
          ['%1 cell changed'],
          ['cells']
        ]);
        expect(spies[2].mock.calls[0][1]).toBe('%1 removed');
      } finally {
        spies.forEach(spy => spy.mockRestore());
      }
    });
  });

  describe('#summarizeEnvironment()', () => {
    it.each([
      [{}, {}, 'no changes'],
      [
        { packages: { numpy: '1.0', pandas: '2.0', scipy: '1.0' } },
        { packages: { numpy: '2.0', pandas: '1.0', scipy: '1.1' } },
        '3 packages changed'
      ],
      [
        {
          language: { name: 'python', version: '3.10.4' },
          packages: { numpy: '1.0' }
        },
        {
          language: { name: 'python', version: '3.11.2' },
          packages: { numpy: '1.0', torch: '2.0' }
        },
        'Python 3.10.4 → 3.11.2, 1 package added'
      ],
      [
        { git: { commit: 'a' }, platform: { description: 'Linux' } },
        { git: { commit: 'b' }, platform: { description: 'macOS' } },
        'platform changed, git commit changed'
      ],
      [
        { kernel: { ipykernel: '6.0' }, git: { dirty: false } },
        { kernel: { ipykernel: '6.1' }, git: { dirty: true } },
        'kernel changed, git state changed'
      ],
      [
        { packages: { a: '1', b: '1' } },
        { packages: { a: '2' } },
        '1 package changed, 1 removed'
      ]
    ])('should sum up %j → %j as %j', (a, b, expected) => {
      expect(summarizeEnvironment(diffEnvironments(a, b))).toBe(expected);
    });
  });
});
