/*
 * webpack configuration of the devlab JupyterLab host (used by build.mjs).
 *
 * Same structure as JupyterLab's dev_mode: one app bundle whose
 * ModuleFederationPlugin shares the JupyterLab/Lumino/React/Yjs packages as
 * the share scope prebuilt extensions join, plus one small config per theme
 * that extracts the theme's CSS into themes/<package>/index.css (what
 * @jupyterlab/builder's Build.ensureAssets does).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const webpack = require('webpack');
const MiniCssExtractPlugin = require('mini-css-extract-plugin');
const svgToDataUri = require('mini-svg-data-uri');

const { ModuleFederationPlugin } = webpack.container;

// Loaders for what JupyterLab packages import (as @jupyterlab/builder does).
const rules = [
  { test: /\.raw\.css$/, type: 'asset/source' },
  {
    test: /(?<!\.raw)\.css$/,
    use: [require.resolve('style-loader'), require.resolve('css-loader')]
  },
  { test: /\.(txt|md)$/, type: 'asset/source' },
  { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
  { test: /\.(woff2?|ttf|eot)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
  {
    // SVG referenced from CSS: inline data URI.
    test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
    issuer: /\.css$/,
    type: 'asset',
    generator: { dataUrl: content => svgToDataUri(content.toString()) }
  },
  {
    // SVG imported from JS (LabIcon): the raw markup string.
    test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
    issuer: /\.js$/,
    type: 'asset/source'
  },
  // Packages mix ESM and CommonJS and import without file extensions.
  { test: /\.m?js$/, type: 'javascript/auto' },
  { test: /\.[mc]?js$/, resolve: { fullySpecified: false } }
];

/**
 * @param {object} o
 * @param {boolean} o.prod - production (minimized) build
 * @param {string} o.appDir - devlab/app (bootstrap.js, index.js)
 * @param {string} o.genDir - generated modules (extensions.js, style.js)
 * @param {string} o.staticDir - output of the app bundle
 * @param {string} o.themesDir - output root of the theme CSS
 * @param {object} o.shared - ModuleFederationPlugin `shared` config
 * @param {Array<{name: string, entry: string}>} o.themes - theme packages
 */
export function createConfigs(o) {
  const mode = o.prod ? 'production' : 'development';
  const app = {
    name: 'app',
    mode,
    // No source maps: they cost build time and memory; dev bundles are
    // unminified and readable anyway.
    devtool: false,
    context: o.appDir,
    entry: { main: path.join(o.appDir, 'bootstrap.js') },
    output: {
      path: o.staticDir,
      // The real value is set at run time from the page config.
      publicPath: 'auto',
      filename: '[name].[contenthash].js',
      chunkFilename: '[name].[contenthash].js',
      assetModuleFilename: 'assets/[name].[contenthash][ext]',
      hashFunction: 'sha256',
      clean: true
    },
    module: { rules },
    resolve: {
      alias: { 'devlab-generated': o.genDir },
      fallback: {
        url: false,
        buffer: false,
        crypto: false,
        path: require.resolve('path-browserify'),
        process: require.resolve('process/browser')
      }
    },
    plugins: [
      new webpack.ProvidePlugin({ process: 'process/browser' }),
      new ModuleFederationPlugin({
        name: 'CORE_FEDERATION',
        library: {
          type: 'var',
          name: ['_JUPYTERLAB', 'CORE_LIBRARY_FEDERATION']
        },
        shared: o.shared
      })
    ],
    performance: { hints: false },
    bail: true
  };

  const themes = o.themes.map(theme => ({
    name: `theme ${theme.name}`,
    mode: 'production',
    devtool: false,
    entry: { index: theme.entry },
    output: {
      path: path.join(o.themesDir, theme.name),
      // Only the extracted CSS is used; the JS stub is deleted by build.mjs.
      filename: '[name].js',
      hashFunction: 'sha256',
      clean: true
    },
    module: {
      rules: [
        {
          test: /\.css$/,
          use: [MiniCssExtractPlugin.loader, require.resolve('css-loader')]
        },
        {
          test: /\.svg/,
          type: 'asset/inline',
          generator: { dataUrl: content => svgToDataUri(content.toString()) }
        },
        {
          test: /\.(cur|png|jpg|gif|ttf|woff2?|eot)(\?v=\d+\.\d+\.\d+)?$/,
          type: 'asset'
        }
      ]
    },
    plugins: [new MiniCssExtractPlugin({ filename: '[name].css' })],
    performance: { hints: false },
    bail: true
  }));

  return [app, ...themes];
}
