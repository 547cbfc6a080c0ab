#!/usr/bin/env node
/*
 * Build the devlab JupyterLab frontend into devlab/build/ for server.py:
 *
 *   build/static/     webpack bundles (+ package.json, third-party-licenses.json)
 *   build/templates/  index.html rendered by jupyterlab_server's LabHandler
 *   build/schemas/    settings schemas of the core plugins
 *   build/themes/     theme CSS served by /lab/api/themes/
 *
 * Usage: node devlab/build.mjs [--prod] [--if-needed]
 *   --prod       production (minimized) build: ~2.5 min, ~2.5 GB on 2 cores
 *   --if-needed  do nothing when the inputs (lock file, configs, sources,
 *                mode) are unchanged since the last successful build
 *
 * Installs devlab/node_modules with `npm ci` first when it is missing or
 * older than package-lock.json.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUILD = path.join(HERE, 'build');
const GEN = path.join(BUILD, 'gen');
const STAMP = path.join(BUILD, 'stamp.txt');

const args = process.argv.slice(2);
const unknown = args.filter(a => !['--prod', '--if-needed'].includes(a));
if (unknown.length) {
  console.error(`Unknown argument(s): ${unknown.join(' ')}`);
  console.error('Usage: node devlab/build.mjs [--prod] [--if-needed]');
  process.exit(2);
}
const prod = args.includes('--prod');
const ifNeeded = args.includes('--if-needed');

const readJSON = file => JSON.parse(fs.readFileSync(file, 'utf8'));
const log = msg => console.log(`[devlab] ${msg}`);

// --- node_modules -----------------------------------------------------------
// node_modules matches package-lock.json when npm's record of the installed
// tree (node_modules/.package-lock.json) has every locked package at its
// locked version (optional ones may be missing).
function nodeModulesCurrent() {
  const installedFile = path.join(HERE, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installedFile)) {
    return false;
  }
  const locked = readJSON(path.join(HERE, 'package-lock.json')).packages;
  const installed = readJSON(installedFile).packages;
  return Object.entries(locked).every(
    ([loc, info]) =>
      !loc ||
      installed[loc]?.version === info.version ||
      (info.optional && !installed[loc])
  );
}

function ensureNodeModules() {
  if (nodeModulesCurrent()) {
    return;
  }
  log('installing node_modules (npm ci)...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: HERE,
    stdio: 'inherit'
  });
}

// --- stamp ------------------------------------------------------------------
function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(e =>
      e.isDirectory()
        ? listFiles(path.join(dir, e.name))
        : [path.join(dir, e.name)]
    );
}

function inputsStamp() {
  const files = [
    'package.json',
    'package-lock.json',
    'build.mjs',
    'webpack.config.mjs',
    ...listFiles(path.join(HERE, 'app')).map(f => path.relative(HERE, f)),
    ...listFiles(path.join(HERE, 'templates')).map(f => path.relative(HERE, f))
  ].sort();
  const hash = crypto.createHash('sha256');
  hash.update(`mode=${prod ? 'production' : 'development'}\n`);
  for (const f of files) {
    hash.update(`${f}\n`);
    hash.update(fs.readFileSync(path.join(HERE, f)));
  }
  return hash.digest('hex');
}

// --- metadata ---------------------------------------------------------------
const require = createRequire(path.join(HERE, 'package.json'));
// Direct dependencies live at the top of node_modules (some packages'
// `exports` forbid require.resolve('<name>/package.json')).
const pkgDir = name => path.join(HERE, 'node_modules', name);
const pkgJSON = name => readJSON(path.join(pkgDir(name), 'package.json'));

/**
 * Derive what to build from devlab/package.json (what is installed) and
 * @jupyterlab/core-meta (JupyterLab's own core.package.json).
 */
function metadata() {
  const pkg = readJSON(path.join(HERE, 'package.json'));
  const core = readJSON(
    path.join(pkgDir('@jupyterlab/core-meta'), 'core.package.json')
  );
  const deps = Object.keys(pkg.dependencies).sort();
  const excluded = pkg.jupyterlab.excludedExtensions || {};

  const extensions = []; // [name, module request]
  const mimeExtensions = [];
  const styles = [];
  const schemas = []; // [name, dir]
  const themes = []; // {name, entry}
  for (const name of deps) {
    const data = pkgJSON(name);
    const jlab = data.jupyterlab || {};
    const request = value => (value === true ? name : `${name}/${value}`);
    if (jlab.extension) {
      extensions.push([name, request(jlab.extension)]);
    }
    if (jlab.mimeExtension) {
      mimeExtensions.push([name, request(jlab.mimeExtension)]);
    }
    if (!jlab.extension && !jlab.mimeExtension) {
      continue; // a library: shared, but not a plugin package
    }
    const style = data.styleModule || data.style;
    if (typeof style === 'string') {
      styles.push(`${name}/${style}`);
    }
    if (jlab.schemaDir) {
      schemas.push([name, path.join(pkgDir(name), jlab.schemaDir)]);
    }
    if (jlab.themePath) {
      themes.push({ name, entry: path.join(pkgDir(name), jlab.themePath) });
    }
  }

  // Cross-check with JupyterLab's own lists so drift is visible.
  const coreExtensions = [
    ...Object.keys(core.jupyterlab.extensions),
    ...Object.keys(core.jupyterlab.mimeExtensions)
  ];
  for (const name of new Set(coreExtensions)) {
    if (!deps.includes(name) && !(name in excluded)) {
      console.warn(
        `[devlab] warning: core extension ${name} is neither a dependency nor excluded`
      );
    }
  }
  const singletons = core.jupyterlab.singletonPackages;
  for (const name of singletons) {
    if (!deps.includes(name)) {
      console.warn(
        `[devlab] warning: singleton package ${name} is not a dependency: not shared`
      );
    }
  }

  // Share every dependency: prebuilt extensions are built with all core
  // packages as `import: false`, so whatever they use must come from here.
  const shared = {};
  for (const name of deps) {
    shared[name] = {
      requiredVersion: pkg.dependencies[name],
      singleton: singletons.includes(name)
    };
  }
  return {
    pkg,
    core,
    deps,
    extensions,
    mimeExtensions,
    styles,
    schemas,
    themes,
    shared
  };
}

// --- generated modules --------------------------------------------------------
function writeGenerated(meta) {
  fs.mkdirSync(GEN, { recursive: true });
  const list = items =>
    items
      .map(
        ([name, req]) =>
          `  [${JSON.stringify(name)}, () => import(${JSON.stringify(req)})]`
      )
      .join(',\n');
  fs.writeFileSync(
    path.join(GEN, 'extensions.js'),
    `// Generated by devlab/build.mjs: do not edit.
export const extensions = [
${list(meta.extensions)}
];

export const mimeExtensions = [
${list(meta.mimeExtensions)}
];

// Importing a package is what makes webpack provide it in the share scope.
export function provideShared() {
  return [
${meta.deps.map(d => `    import(${JSON.stringify(d)})`).join(',\n')}
  ];
}
`
  );
  fs.writeFileSync(
    path.join(GEN, 'style.js'),
    `// Generated by devlab/build.mjs: styles of the core extensions.
${meta.styles.map(s => `import ${JSON.stringify(s)};`).join('\n')}
`
  );
}

// Settings schemas as Build.ensureAssets lays them out: schemas/<pkg>/*.json
// plus package.json.orig (jupyterlab_server reads the version from it).
function copySchemas(meta) {
  const out = path.join(BUILD, 'schemas');
  fs.rmSync(out, { recursive: true, force: true });
  for (const [name, dir] of meta.schemas) {
    const dest = path.join(out, name);
    fs.mkdirSync(dest, { recursive: true });
    for (const file of fs.readdirSync(dir)) {
      fs.copyFileSync(path.join(dir, file), path.join(dest, file));
    }
    fs.copyFileSync(
      path.join(pkgDir(name), 'package.json'),
      path.join(dest, 'package.json.orig')
    );
  }
}

// Help > Licenses: jupyterlab_server reads static/third-party-licenses.json.
// One entry per package name (the licenses table keys its rows by name).
function writeLicenses() {
  const lock = readJSON(path.join(HERE, 'package-lock.json'));
  const byName = new Map();
  for (const [loc, info] of Object.entries(lock.packages)) {
    if (!loc || info.dev) {
      continue;
    }
    const name = loc.split('node_modules/').pop();
    const entry = byName.get(name);
    if (entry) {
      if (!entry.versions.includes(info.version)) {
        entry.versions.push(info.version);
      }
      continue;
    }
    const dir = path.join(HERE, loc);
    const licenseFile = fs.existsSync(dir)
      ? fs.readdirSync(dir).find(f => /^(licen[cs]e|copying)/i.test(f))
      : undefined;
    byName.set(name, {
      versions: [info.version],
      licenseId: info.license || '',
      extractedText: licenseFile
        ? fs.readFileSync(path.join(dir, licenseFile), 'utf8')
        : ''
    });
  }
  const packages = [...byName.keys()].sort().map(name => {
    const { versions, licenseId, extractedText } = byName.get(name);
    return { name, versionInfo: versions.join(', '), licenseId, extractedText };
  });
  fs.writeFileSync(
    path.join(BUILD, 'static', 'third-party-licenses.json'),
    JSON.stringify({ packages }, null, 1)
  );
}

async function runWebpack(meta) {
  const webpack = require('webpack');
  const { createConfigs } = await import(
    pathToFileURL(path.join(HERE, 'webpack.config.mjs')).href
  );
  const configs = createConfigs({
    prod,
    appDir: path.join(HERE, 'app'),
    genDir: GEN,
    staticDir: path.join(BUILD, 'static'),
    themesDir: path.join(BUILD, 'themes'),
    shared: meta.shared,
    themes: meta.themes
  });
  const stats = await new Promise((resolve, reject) => {
    webpack(configs, (err, result) => {
      if (err) {
        reject(err);
      } else {
        resolve(result);
      }
    });
  });
  const info = stats.toJson({
    all: false,
    errors: true,
    warnings: true,
    entrypoints: true
  });
  for (const w of info.warnings || []) {
    console.warn(`[devlab] webpack warning: ${w.message}`);
  }
  if (stats.hasErrors()) {
    for (const e of info.errors || []) {
      console.error(e.message);
    }
    throw new Error('webpack failed');
  }
  return info.children[0].entrypoints.main.assets.map(a => a.name);
}

function writeTemplate(mainAssets) {
  const tags = mainAssets
    .filter(a => a.endsWith('.js'))
    .map(
      a => `<script src="{{ page_config['fullStaticUrl'] | e }}/${a}"></script>`
    )
    .join('\n  ');
  const src = fs.readFileSync(
    path.join(HERE, 'templates', 'index.html'),
    'utf8'
  );
  const marker = '{# DEVLAB_SCRIPTS #}';
  if (src.split(marker).length !== 2) {
    throw new Error(`templates/index.html must contain ${marker} exactly once`);
  }
  fs.mkdirSync(path.join(BUILD, 'templates'), { recursive: true });
  fs.writeFileSync(
    path.join(BUILD, 'templates', 'index.html'),
    src.replace(marker, tags)
  );
}

async function main() {
  ensureNodeModules();
  const stamp = inputsStamp();
  const outputs = ['templates/index.html', 'static', 'schemas', 'themes'].map(
    p => path.join(BUILD, p)
  );
  if (
    ifNeeded &&
    fs.existsSync(STAMP) &&
    fs.readFileSync(STAMP, 'utf8').trim() === stamp &&
    outputs.every(p => fs.existsSync(p))
  ) {
    log('build is up to date');
    return;
  }
  const started = Date.now();
  fs.rmSync(STAMP, { force: true });
  const meta = metadata();
  log(
    `${prod ? 'production' : 'development'} build: ${meta.extensions.length} extensions, ` +
      `${meta.mimeExtensions.length} mime extensions, ${meta.deps.length} shared packages`
  );
  writeGenerated(meta);
  copySchemas(meta);
  const mainAssets = await runWebpack(meta);
  for (const theme of meta.themes) {
    fs.rmSync(path.join(BUILD, 'themes', theme.name, 'index.js'), {
      force: true
    });
  }
  writeTemplate(mainAssets);
  // static/package.json: the app's name/version for jupyterlab_server
  // (licenses bundle name) and server.py (page config appVersion).
  const version = pkgJSON('@jupyterlab/application').version;
  fs.writeFileSync(
    path.join(BUILD, 'static', 'package.json'),
    JSON.stringify(
      {
        name: meta.pkg.name,
        version,
        jupyterlab: { name: meta.pkg.jupyterlab.name, version }
      },
      null,
      2
    ) + '\n'
  );
  writeLicenses();
  fs.writeFileSync(STAMP, `${stamp}\n`);
  log(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${path.relative(process.cwd(), BUILD) || '.'}`
  );
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
