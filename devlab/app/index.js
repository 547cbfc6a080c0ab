/*
 * Start JupyterLab with the core plugins bundled here plus the plugins of the
 * prebuilt extensions that bootstrap.js loaded (logic of JupyterLab's
 * dev_mode/index.js, without the handlebars template).
 *
 * `devlab-generated/*` is written by build.mjs from package.json and
 * @jupyterlab/core-meta: the lists of core extensions and their styles.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { PluginRegistry } from '@lumino/coreutils';

import 'devlab-generated/style.js';
import {
  extensions as coreExtensions,
  mimeExtensions as coreMimeExtensions,
  provideShared
} from 'devlab-generated/extensions.js';

// Get the module `module` (e.g. './extension') of a prebuilt extension.
async function federatedModule(scope, module) {
  try {
    const factory = await window._JUPYTERLAB[scope].get(module);
    const instance = factory();
    instance.__scope__ = scope;
    return instance;
  } catch (e) {
    console.warn(
      `Failed to create module: package: ${scope}; module: ${module}`
    );
    throw e;
  }
}

export async function main() {
  // Never true in practice: referencing provideShared() keeps every shared
  // package in the build, so webpack registers it in the share scope for
  // prebuilt extensions even when no core plugin imports it.
  if (PageConfig.getOption('devlabLoadAllShared') === 'true') {
    await Promise.all(provideShared());
  }

  const { JupyterLab } = await import('@jupyterlab/application');
  const { IConnectionStatus, IServiceManager } =
    await import('@jupyterlab/services');

  const pluginRegistry = new PluginRegistry();
  const disabled = [];
  const deferred = [];
  const ignorePlugins = [];
  const allPlugins = [];

  // Prebuilt extensions win over core packages of the same name.
  const federated = JSON.parse(
    PageConfig.getOption('federated_extensions') || '[]'
  );
  const queued = new Set();
  const fedExtensions = [];
  const fedMimeExtensions = [];
  const fedStyles = [];
  for (const data of federated) {
    if (data.extension) {
      queued.add(data.name);
      fedExtensions.push(federatedModule(data.name, data.extension));
    }
    if (data.mimeExtension) {
      queued.add(data.name);
      fedMimeExtensions.push(federatedModule(data.name, data.mimeExtension));
    }
    if (data.style && !PageConfig.Extension.isDisabled(data.name)) {
      fedStyles.push(federatedModule(data.name, data.style));
    }
  }

  // Yield the enabled plugins of an extension module, recording disabled
  // and deferred ones like JupyterLab does.
  function* activePlugins(extension) {
    const exports = Object.prototype.hasOwnProperty.call(
      extension,
      '__esModule'
    )
      ? extension.default
      : extension;
    const plugins = Array.isArray(exports) ? exports : [exports];
    for (const plugin of plugins) {
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id);
      allPlugins.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: extension.__scope__
      });
      if (isDisabled) {
        disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        deferred.push(plugin.id);
        ignorePlugins.push(plugin.id);
      }
      yield plugin;
    }
  }

  // Import core extension modules in parallel, keep their listed order.
  async function loadCore(list) {
    const wanted = list.filter(([name]) => !queued.has(name));
    const settled = await Promise.allSettled(wanted.map(([, load]) => load()));
    return settled.map((r, i) => {
      if (r.status === 'rejected') {
        console.error(r.reason);
        return null;
      }
      // Module namespace objects are frozen: wrap to attach the scope.
      return {
        __esModule: true,
        default: r.value.default,
        __scope__: wanted[i][0]
      };
    });
  }

  function collect(modules, target) {
    for (const m of modules) {
      if (m) {
        for (const plugin of activePlugins(m)) {
          target.push(plugin);
        }
      }
    }
  }

  function settledValues(results) {
    return results.map(r => {
      if (r.status === 'fulfilled') {
        return r.value;
      }
      console.error(r.reason);
      return null;
    });
  }

  const mimeExtensions = [];
  collect(await loadCore(coreMimeExtensions), mimeExtensions);
  collect(
    settledValues(await Promise.allSettled(fedMimeExtensions)),
    mimeExtensions
  );

  const register = [];
  collect(await loadCore(coreExtensions), register);
  collect(settledValues(await Promise.allSettled(fedExtensions)), register);

  // Styles of prebuilt extensions: log failures, do not stop.
  settledValues(await Promise.allSettled(fedStyles));

  pluginRegistry.registerPlugins(register);

  // A plugin may provide these; otherwise JupyterLab makes the defaults.
  const connectionStatus =
    await pluginRegistry.resolveOptionalService(IConnectionStatus);
  const serviceManager =
    await pluginRegistry.resolveOptionalService(IServiceManager);

  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    mimeExtensions,
    connectionStatus,
    disabled: {
      matches: disabled,
      patterns: PageConfig.Extension.disabled.map(val => val.raw)
    },
    deferred: {
      matches: deferred,
      patterns: PageConfig.Extension.deferred.map(val => val.raw)
    },
    availablePlugins: allPlugins
  });

  void lab.start({ ignorePlugins, bubblingKeydown: true });

  // UI tests (galata) and our own checks drive the app through this global.
  const expose =
    PageConfig.getOption('exposeAppInBrowser').toLowerCase() === 'true';
  const devMode = PageConfig.getOption('devMode').toLowerCase() === 'true';
  if (expose || devMode) {
    window.jupyterapp = lab;
  }
}
