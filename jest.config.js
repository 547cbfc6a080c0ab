const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// Packages shipped as ES modules that jest must transform before running.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  coverageReporters: ['lcov', 'text'],
  // Only the sources hold unit tests; the build folders hold package.json
  // copies that would collide in jest's module map.
  roots: ['<rootDir>/src'],
  setupFiles: [
    ...baseConfig.setupFiles,
    '<rootDir>/src/__tests__/jsdom-setup.ts'
  ],
  reporters: ['default'],
  testRegex: '/src/(.+/)?__tests__/.+\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
