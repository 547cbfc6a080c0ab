import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ISettingRegistry, SettingRegistry } from '@jupyterlab/settingregistry';
import { DataConnector } from '@jupyterlab/statedb';
import { PluginRegistry } from '@lumino/coreutils';
import * as fs from 'fs';
import * as path from 'path';

import { trackingPlugin } from '../settings/plugin';
import { IRunsSettings } from '../tokens';

export const TRACKING_ID = 'jupyterlab-runs:tracking';

/**
 * Read one of the extension's settings schemas from `schema/`.
 */
export function readSchema(name: string): ISettingRegistry.ISchema {
  const file = path.join(__dirname, '..', '..', 'schema', `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * The settings transport, kept in memory: what the server's settings API
 * would store, without a server.
 */
export class InMemorySettingConnector extends DataConnector<
  ISettingRegistry.IPlugin,
  string
> {
  constructor(schemas: Record<string, ISettingRegistry.ISchema>) {
    super();
    this._schemas = schemas;
  }

  async fetch(id: string): Promise<ISettingRegistry.IPlugin | undefined> {
    const schema = this._schemas[id];
    if (!schema) {
      return undefined;
    }
    return {
      id,
      schema,
      raw: this.raw[id] ?? '{}',
      data: { composite: {}, user: {} },
      version: '0.1.0'
    };
  }

  async save(id: string, raw: string): Promise<void> {
    this.raw[id] = raw;
  }

  /**
   * The user settings saved for each plugin, as JSON text.
   */
  readonly raw: Record<string, string> = {};

  private readonly _schemas: Record<string, ISettingRegistry.ISchema>;
}

/**
 * A setting registry over an in-memory transport holding the tracking schema
 * and, optionally, user settings for it.
 */
export function createSettingRegistry(user?: object): SettingRegistry {
  const connector = new InMemorySettingConnector({
    [TRACKING_ID]: readSchema('tracking')
  });
  if (user) {
    connector.raw[TRACKING_ID] = JSON.stringify(user);
  }
  return new SettingRegistry({ connector });
}

/**
 * Resolve the settings service the way JupyterLab does: by activating the
 * tracking plugin against a plugin that provides the setting registry.
 */
export async function resolveRunsSettings(
  registry: ISettingRegistry
): Promise<IRunsSettings> {
  const plugins = new PluginRegistry<JupyterFrontEnd>();
  plugins.registerPlugin({
    id: 'test:setting-registry',
    description: 'Provides the test setting registry.',
    provides: ISettingRegistry,
    activate: () => registry
  });
  plugins.registerPlugin(trackingPlugin);
  return plugins.resolveRequiredService(IRunsSettings);
}
