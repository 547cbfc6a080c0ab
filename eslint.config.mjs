import js from '@eslint/js';
import jupyterPlugin from '@jupyter/eslint-plugin';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The Jupyter plugin's recommended configs with every warning raised to an
 * error: a warning nobody has to fix is how these rules got abandoned elsewhere.
 */
const jupyterRecommendedAsErrors = jupyterPlugin.configs.recommended.map(
  config => ({
    ...config,
    ...(config.rules && {
      rules: Object.fromEntries(
        Object.entries(config.rules).map(([name, level]) => [
          name,
          level === 'warn' ? 'error' : level
        ])
      )
    })
  })
);

export default defineConfig([
  {
    ignores: [
      '**/node_modules',
      '**/*.js',
      '**/*.d.ts',
      'build',
      'coverage',
      'dist',
      'lib',
      'jupyterlab_runs/labextension',
      // UI tests have their own project and tsconfig.
      'ui-tests'
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  ...jupyterRecommendedAsErrors,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    languageOptions: {
      globals: {
        ...globals.browser,
        ...globals.es2015
      },
      parserOptions: {
        // The test config covers the sources and their tests.
        project: 'tsconfig.test.json',
        sourceType: 'module'
      }
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' }
      ],
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: {
            regex: '^I[A-Z]',
            match: true
          }
        }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // Tests assert on the English strings the UI renders; they are not UI.
    files: ['src/**/__tests__/**'],
    languageOptions: {
      globals: {
        ...globals.jest,
        ...globals.node
      }
    },
    rules: {
      // As the Jupyter plugin does for *.spec.ts files, extended to the test
      // helpers beside them.
      'jupyter/command-id-convention': 'off',
      'jupyter/no-untranslated-string': 'off',
      'jupyter/plugin-id-convention': 'off',
      'jupyter/prefer-lazy-imports': 'off'
    }
  },
  prettierRecommended
]);
