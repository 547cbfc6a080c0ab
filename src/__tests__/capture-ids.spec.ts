import * as fs from 'fs';
import * as path from 'path';

import {
  ADJECTIVES,
  frontendRunId,
  frontendRunNumber,
  frontendSessionId,
  NOUNS,
  readableName
} from '../capture/ids';
import { isValidId } from '../store/format';

/**
 * The words of a tuple of `jupyterlab_runs/helper.py`.
 */
function helperWords(name: string): string[] {
  const helper = fs.readFileSync(
    path.join(__dirname, '..', '..', 'jupyterlab_runs', 'helper.py'),
    'utf8'
  );
  const tuple = new RegExp(`^${name} = \\(([^)]*)\\)`, 'm').exec(helper);
  return [...(tuple?.[1] ?? '').matchAll(/"([a-z]+)"/g)].map(m => m[1]);
}

describe('ids', () => {
  describe('#readableName()', () => {
    it("should use the helper's words", () => {
      expect(ADJECTIVES).toEqual(helperWords('ADJECTIVES'));
      expect(NOUNS).toEqual(helperWords('NOUNS'));
      expect(readableName(3, () => 0.999)).toBe('zesty-zebra-3');
    });
  });

  describe('#frontendSessionId()', () => {
    it.each([
      [
        '5f1c6a2e-8a0d-4b8e-9a43-3f4b1d2c7e90',
        '9b2f3c1d-0a8e1f2b3c4d5e6f7a8b9c0d'
      ],
      ['../weird id:with/parts', ''],
      ['-'.repeat(100), 'x'],
      ['k'.repeat(200), 'y']
    ])('should give a valid store id for kernel %j', (kernel, process) => {
      const session = frontendSessionId(kernel, process);
      expect(isValidId(session)).toBe(true);
      expect(isValidId(frontendRunId(session, 12345))).toBe(true);
    });

    it('should be stable for one kernel process', () => {
      expect(frontendSessionId('k', 'p')).toBe(frontendSessionId('k', 'p'));
      expect(frontendSessionId('k', 'p')).not.toBe(frontendSessionId('k', 'q'));
    });
  });

  describe('#frontendRunNumber()', () => {
    it('should read the number of the runs of a session only', () => {
      expect(frontendRunNumber('s-1', frontendRunId('s-1', 7))).toBe(7);
      expect(frontendRunNumber('s-1', frontendRunId('s-12', 7))).toBe(0);
      expect(frontendRunNumber('s-1', '20261126T154400123Z-k3x9qa')).toBe(0);
    });
  });
});
