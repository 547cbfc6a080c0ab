import { diffEnvironments, packageKey } from '../compare/env';
import { parseVersion, versionDirection } from '../compare/versions';

/**
 * An environment as the kernel helper records it (docs/CAPTURE.md, ENV).
 */
function environment(
  overrides: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    helper: { version: '0.1.0', loaded_from: 'frontend copy' },
    kernel: {
      implementation: 'ipykernel',
      ipykernel: '6.29.5',
      ipython: '8.26.0'
    },
    language: { name: 'python', version: '3.11.9' },
    python: {
      version: '3.11.9 (main, Apr  2 2024, 08:25:04) [GCC 13.2.0]',
      implementation: 'CPython',
      executable: '/opt/conda/bin/python3',
      prefix: '/usr'
    },
    platform: {
      system: 'Linux',
      release: '6.8.0',
      machine: 'x86_64',
      description: 'Linux-6.8.0-x86_64-with-glibc2.39'
    },
    packages: { numpy: '1.26.4', pandas: '2.2.2', 'scikit-learn': '1.5.0' },
    git: {
      root: '/work',
      commit: 'abc123',
      branch: 'main',
      dirty: false,
      remote: null
    },
    ...overrides
  };
}

describe('compare/env', () => {
  describe('#diffEnvironments()', () => {
    it('should find identical environments identical', () => {
      const diff = diffEnvironments(environment(), environment());
      expect(diff).toEqual({
        packages: [],
        counts: {
          added: 0,
          removed: 0,
          changed: 0,
          upgraded: 0,
          downgraded: 0
        },
        fields: [],
        packagesTruncated: false,
        identical: true
      });
    });

    it('should find added, removed, upgraded and downgraded packages, by name', () => {
      const diff = diffEnvironments(
        environment({
          packages: {
            pandas: '2.2.2',
            numpy: '1.26.4',
            torch: '2.3.0',
            'scikit-learn': '1.5.0'
          }
        }),
        environment({
          packages: {
            'scikit-learn': '1.4.2',
            numpy: '2.0.0',
            pandas: '2.2.2',
            Aiohttp: '3.9.5'
          }
        })
      );
      expect(diff.packages).toEqual([
        {
          name: 'Aiohttp',
          status: 'added',
          oldVersion: null,
          newVersion: '3.9.5',
          direction: null
        },
        {
          name: 'numpy',
          status: 'changed',
          oldVersion: '1.26.4',
          newVersion: '2.0.0',
          direction: 'upgrade'
        },
        {
          name: 'scikit-learn',
          status: 'changed',
          oldVersion: '1.5.0',
          newVersion: '1.4.2',
          direction: 'downgrade'
        },
        {
          name: 'torch',
          status: 'removed',
          oldVersion: '2.3.0',
          newVersion: null,
          direction: null
        }
      ]);
      expect(diff.counts).toEqual({
        added: 1,
        removed: 1,
        changed: 2,
        upgraded: 1,
        downgraded: 1
      });
      expect(diff.fields).toEqual([]);
    });

    it('should leave the direction open for versions it cannot order', () => {
      const diff = diffEnvironments(
        environment({
          packages: { mylib: 'git-abc', torch: '2.1.0+cpu', other: '1.0' }
        }),
        environment({
          packages: { mylib: 'git-def', torch: '2.1.0+cu118', other: null }
        })
      );
      expect(
        diff.packages.map(item => [item.name, item.direction, item.newVersion])
      ).toEqual([
        ['mylib', null, 'git-def'],
        ['other', null, null],
        ['torch', null, '2.1.0+cu118']
      ]);
    });

    it('should match package names as pip does', () => {
      const diff = diffEnvironments(
        environment({
          packages: { PyYAML: '6.0.1', typing_extensions: '4.0' }
        }),
        environment({
          packages: { pyyaml: '6.0.1', 'typing-extensions': '4.1' }
        })
      );
      expect(diff.packages).toEqual([
        expect.objectContaining({
          name: 'typing-extensions',
          status: 'changed',
          direction: 'upgrade'
        })
      ]);
    });

    it('should find Python, platform, kernel and git changes', () => {
      const diff = diffEnvironments(
        environment(),
        environment({
          language: { name: 'python', version: '3.12.4' },
          platform: {
            system: 'Darwin',
            release: '23.5.0',
            machine: 'arm64',
            description: 'macOS-14.5-arm64-arm-64bit'
          },
          kernel: {
            implementation: 'ipykernel',
            ipykernel: '6.29.5',
            ipython: '8.27.0'
          },
          git: {
            root: '/work',
            commit: 'def456',
            branch: 'main',
            dirty: true,
            remote: null
          }
        })
      );
      expect(diff.fields).toEqual([
        { field: 'python', old: '3.11.9', new: '3.12.4' },
        { field: 'kernel.ipython', old: '8.26.0', new: '8.27.0' },
        {
          field: 'platform',
          old: 'Linux-6.8.0-x86_64-with-glibc2.39',
          new: 'macOS-14.5-arm64-arm-64bit'
        },
        { field: 'git.commit', old: 'abc123', new: 'def456' },
        { field: 'git.dirty', old: 'false', new: 'true' }
      ]);
      expect(diff.identical).toBe(false);
    });

    it('should fall back on sys.version and the platform parts', () => {
      const diff = diffEnvironments(
        {
          python: { version: '3.10.14 (main) [GCC]' },
          platform: { system: 'Linux', release: '5.15', machine: 'x86_64' }
        },
        {
          python: { version: '3.11.9 (main) [GCC]' },
          platform: { system: 'Linux', release: '6.8', machine: 'x86_64' }
        }
      );
      expect(diff.fields).toEqual([
        { field: 'python', old: '3.10.14', new: '3.11.9' },
        { field: 'platform', old: 'Linux 5.15 x86_64', new: 'Linux 6.8 x86_64' }
      ]);
    });

    it.each([
      ['null environments', null, null],
      ['odd values', 'text', 42],
      ['an array', [], {}],
      [
        'null parts',
        environment({
          packages: null,
          git: null,
          kernel: null,
          platform: null,
          language: null,
          python: null
        }),
        environment({
          packages: null,
          git: null,
          kernel: null,
          platform: null,
          language: null,
          python: null
        })
      ],
      [
        'parts of the wrong kind',
        { packages: ['numpy'], git: 'abc', python: 3 },
        { packages: 'numpy', git: [1], python: { version: 7 } }
      ]
    ])('should not throw on %s', (_, a, b) => {
      expect(() => diffEnvironments(a, b)).not.toThrow();
    });

    it('should find a missing part as a change to or from null', () => {
      const diff = diffEnvironments(environment(), environment({ git: null }));
      expect(diff.fields).toEqual([
        { field: 'git.commit', old: 'abc123', new: null },
        { field: 'git.branch', old: 'main', new: null },
        { field: 'git.dirty', old: 'false', new: null }
      ]);
      const fromNothing = diffEnvironments(null, environment());
      expect(fromNothing.counts.added).toBe(3);
      expect(fromNothing.fields[0]).toEqual({
        field: 'python',
        old: null,
        new: '3.11.9'
      });
    });

    it('should say when a package list was cut short', () => {
      expect(
        diffEnvironments(
          environment(),
          environment({ packages_truncated: true })
        ).packagesTruncated
      ).toBe(true);
    });
  });

  describe('#packageKey()', () => {
    it.each([
      ['PyYAML', 'pyyaml'],
      ['typing_extensions', 'typing-extensions'],
      ['zope.interface', 'zope-interface'],
      ['a-_.b', 'a-b']
    ])('should key %s as %s', (name, key) => {
      expect(packageKey(name)).toBe(key);
    });
  });
});

describe('compare/versions', () => {
  describe('#versionDirection()', () => {
    it.each([
      ['1.26.4', '2.0.0', 'upgrade'],
      ['2.0.0', '1.26.4', 'downgrade'],
      ['1.9', '1.10', 'upgrade'],
      ['1.0', '1.0.1', 'upgrade'],
      ['2.0.0rc1', '2.0.0', 'upgrade'],
      ['2.0.0b2', '2.0.0rc1', 'upgrade'],
      ['2.0.0a1', '2.0.0b1', 'upgrade'],
      ['2.0.0.dev1', '2.0.0a1', 'upgrade'],
      ['2.0.0', '2.0.0.post1', 'upgrade'],
      ['2.0.0.post1.dev1', '2.0.0.post1', 'upgrade'],
      ['1!0.1', '2.0', 'downgrade'],
      ['v1.2', 'v1.3', 'upgrade'],
      ['1.0', '1.0.0', null],
      ['2.1.0+cpu', '2.1.0+cu118', null],
      ['unknown', '1.0', null],
      ['1.0', 'abc', null],
      ['', '1.0', null]
    ])('should go from %s to %s as %s', (from, to, expected) => {
      expect(versionDirection(from, to)).toBe(expected);
    });
  });

  describe('#parseVersion()', () => {
    it('should read the parts of a version', () => {
      expect(parseVersion('1!2.3rc4.post5.dev6+local.7')).toEqual({
        epoch: 1,
        release: [2, 3],
        stage: 2,
        stageNumber: 4,
        post: 5,
        dev: 6,
        local: 'local.7'
      });
    });
  });
});
