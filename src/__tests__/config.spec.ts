import {
  checkStoreFolder,
  DEFAULT_CONFIG,
  parseConfig
} from '../settings/config';

describe('settings/config', () => {
  describe('#checkStoreFolder()', () => {
    it.each([
      ['jupyter-runs', 'jupyter-runs'],
      ['results/runs', 'results/runs'],
      ['  results/runs  ', 'results/runs'],
      ['./results//runs/', 'results/runs'],
      ['runs.v2', 'runs.v2']
    ])('should accept %j as %j', (value, folder) => {
      expect(checkStoreFolder(value)).toEqual({ ok: true, folder });
    });

    it.each([
      ['', 'is empty'],
      ['   ', 'is empty'],
      ['./', 'is empty'],
      ['/srv/runs', 'is absolute'],
      ['C:/runs', 'is absolute'],
      ['..', 'leaves the server root'],
      ['runs/../../etc', 'leaves the server root'],
      ['runs\\old', 'contains a backslash'],
      ['runs\0', 'contains a NUL character'],
      ['.runs', 'names a hidden folder'],
      ['results/.cache', 'names a hidden folder'],
      [42, 'is not a text value'],
      [null, 'is not a text value']
    ])('should reject %j because it %s', (value, problem) => {
      const check = checkStoreFolder(value);
      expect(check.ok).toBe(false);
      expect(check.ok ? '' : check.problem).toContain(problem);
    });
  });

  describe('#parseConfig()', () => {
    it('should use the defaults for empty settings', () => {
      expect(parseConfig({})).toEqual({ config: DEFAULT_CONFIG, warnings: [] });
    });

    it('should keep valid values', () => {
      expect(
        parseConfig({ storeFolder: 'results/runs', trackingEnabled: false })
      ).toEqual({
        config: { storeFolder: 'results/runs', trackingEnabled: false },
        warnings: []
      });
    });

    it.each([
      ['/abs', 'is absolute'],
      ['../outside', 'leaves the server root'],
      ['', 'is empty']
    ])(
      'should fall back to the default folder for %j and say it %s',
      (storeFolder, problem) => {
        const { config, warnings } = parseConfig({ storeFolder });
        expect(config.storeFolder).toBe('jupyter-runs');
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(problem);
        expect(warnings[0]).toContain('using "jupyter-runs" instead');
      }
    );

    it('should fall back to tracking on for a value that is not a boolean', () => {
      const { config, warnings } = parseConfig({ trackingEnabled: 'no' });
      expect(config.trackingEnabled).toBe(true);
      expect(warnings).toEqual([
        'jupyterlab-runs: the "trackingEnabled" setting must be true or false; using true instead.'
      ]);
    });
  });
});
