import * as fs from 'fs';
import * as path from 'path';

import {
  checkStoreFolder,
  DEFAULT_CONFIG,
  parseConfig,
  sameConfig
} from '../settings/config';

/**
 * The store folder cases the kernel helper is tested against too
 * (jupyterlab_runs/tests/test_headless.py), so both read the setting alike.
 */
const STORE_FOLDER_CASES: {
  value: unknown;
  folder?: string;
  problem?: string;
}[] = JSON.parse(
  fs.readFileSync(
    path.join(
      __dirname,
      '..',
      '..',
      'jupyterlab_runs',
      'tests',
      'store_folder_cases.json'
    ),
    'utf8'
  )
).cases;

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

    it.each(STORE_FOLDER_CASES)(
      'should read %j as the kernel helper does',
      ({ value, folder, problem }) => {
        const check = checkStoreFolder(value);
        if (folder !== undefined) {
          expect(check).toEqual({ ok: true, folder });
        } else {
          // The problem starts alike; the frontend may say more.
          expect(check.ok ? '' : check.problem.slice(0, problem!.length)).toBe(
            problem
          );
        }
      }
    );
  });

  describe('#parseConfig()', () => {
    it('should use the defaults for empty settings', () => {
      expect(parseConfig({})).toEqual({ config: DEFAULT_CONFIG, warnings: [] });
    });

    it('should keep valid values', () => {
      expect(
        parseConfig({
          storeFolder: 'results/runs',
          trackingEnabled: false,
          envAllowlist: ['PATH', 'MY_VAR'],
          metricPatterns: ['^val_', '(?P<name>score)$'],
          outputCapBytes: 0
        })
      ).toEqual({
        config: {
          storeFolder: 'results/runs',
          trackingEnabled: false,
          envAllowlist: ['PATH', 'MY_VAR'],
          metricPatterns: ['^val_', '(?P<name>score)$'],
          outputCapBytes: 0
        },
        warnings: []
      });
    });

    it('should allow empty lists', () => {
      const { config, warnings } = parseConfig({
        envAllowlist: [],
        metricPatterns: []
      });
      expect(config.envAllowlist).toEqual([]);
      expect(config.metricPatterns).toEqual([]);
      expect(warnings).toEqual([]);
    });

    it.each([
      ['envAllowlist', 'PATH'],
      ['metricPatterns', '^loss$'],
      ['envAllowlist', { PATH: true }]
    ])(
      'should fall back to the default %s for %j, which is not a list',
      (name, value) => {
        const { config, warnings } = parseConfig({ [name]: value });
        expect(config).toEqual(DEFAULT_CONFIG);
        expect(warnings).toEqual([
          `jupyterlab-runs: the "${name}" setting must be a list of text values; using the default list instead.`
        ]);
      }
    );

    it.each([
      ['', 'is not an environment variable name'],
      ['A=B', 'is not an environment variable name'],
      ['MY VAR', 'is not an environment variable name'],
      [7, 'is not a text value']
    ])(
      'should drop the envAllowlist entry %j, which %s, and keep the others',
      (entry, problem) => {
        const { config, warnings } = parseConfig({
          envAllowlist: ['PATH', entry, 'LANG']
        });
        expect(config.envAllowlist).toEqual(['PATH', 'LANG']);
        expect(warnings).toEqual([
          `jupyterlab-runs: ignoring the "envAllowlist" entry ${JSON.stringify(entry)}, which ${problem}.`
        ]);
      }
    );

    it('should keep one of each repeated entry', () => {
      expect(
        parseConfig({ envAllowlist: ['PATH', 'LANG', 'PATH'] }).config
          .envAllowlist
      ).toEqual(['PATH', 'LANG']);
    });

    it.each([
      ['(?i)^val_', true],
      ['(?P<metric>loss)_(?P=metric)', true],
      ['accuracy|f1', true],
      ['(unclosed', false],
      ['*loss', false],
      ['', false]
    ])('should judge the metric pattern %j valid: %s', (pattern, valid) => {
      const { config, warnings } = parseConfig({ metricPatterns: [pattern] });
      expect(config.metricPatterns).toEqual(valid ? [pattern] : []);
      expect(warnings).toHaveLength(valid ? 0 : 1);
    });

    it.each([-1, 1.5, '100', null, Number.MAX_VALUE])(
      'should fall back to the default output cap for %j',
      outputCapBytes => {
        const { config, warnings } = parseConfig({ outputCapBytes });
        expect(config.outputCapBytes).toBe(100000);
        expect(warnings).toEqual([
          'jupyterlab-runs: the "outputCapBytes" setting must be a whole number of bytes, 0 or more; using 100000 instead.'
        ]);
      }
    );

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

  describe('#sameConfig()', () => {
    it('should compare the lists entry by entry', () => {
      expect(sameConfig(DEFAULT_CONFIG, { ...DEFAULT_CONFIG })).toBe(true);
      expect(
        sameConfig(DEFAULT_CONFIG, {
          ...DEFAULT_CONFIG,
          envAllowlist: [...DEFAULT_CONFIG.envAllowlist].reverse()
        })
      ).toBe(false);
      expect(
        sameConfig(DEFAULT_CONFIG, { ...DEFAULT_CONFIG, metricPatterns: ['x'] })
      ).toBe(false);
      expect(
        sameConfig(DEFAULT_CONFIG, { ...DEFAULT_CONFIG, outputCapBytes: 1 })
      ).toBe(false);
    });
  });
});
