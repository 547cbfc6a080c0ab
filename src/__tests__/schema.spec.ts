import { capturePlugin } from '../capture/plugin';
import { historyPlugin } from '../history/plugin';
import { reproducePlugin } from '../reproduce/plugin';
import { trackingPlugin } from '../settings/plugin';
import { readSchema } from './helpers';

describe('schema', () => {
  describe.each([
    ['tracking', trackingPlugin.id],
    ['history', historyPlugin.id],
    ['capture', capturePlugin.id],
    ['reproduce', reproducePlugin.id]
  ])('%s.json', (name, pluginId) => {
    const schema = readSchema(name);

    it(`should belong to the plugin ${pluginId}`, () => {
      expect(pluginId).toBe(`jupyterlab-runs:${name}`);
    });

    it('should forbid properties it does not declare', () => {
      expect(schema.additionalProperties).toBe(false);
    });

    it('should show as a Runs entry with its icon in the Settings Editor', () => {
      expect(schema.title).toMatch(/^Runs/);
      expect(schema['jupyter.lab.setting-icon']).toBe('jupyterlab-runs:runs');
      expect(schema['jupyter.lab.setting-icon-label']).toBe(schema.title);
    });

    it('should give every property a title, a description and a default', () => {
      for (const property of Object.values(schema.properties ?? {})) {
        expect(property).toEqual(
          expect.objectContaining({
            title: expect.any(String),
            description: expect.any(String),
            default: expect.anything()
          })
        );
      }
    });
  });
});
