import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMMAND, SHORTCUT } from '../src/slack/ids';
import { manifestGlobalShortcuts } from './support/manifest';

const schemaPath = join(__dirname, '../../shared/slack/manifest-schema/manifest.schema.1.0.0.json');

describe('manifest.yml', () => {
  const manifest = parse(readFileSync(join(__dirname, '../manifest.yml'), 'utf8'));

  it("validates against Slack's manifest JSON schema", () => {
    if (!existsSync(schemaPath)) throw new Error(`Slack's manifest schema is missing at ${schemaPath}`);
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares the /gpu command, interactivity on the Bolt endpoint and only the scopes the bot uses', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect(manifest.features.slash_commands[0].should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.slash_commands[0].url).toMatch(/\/slack\/events$/);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'commands', 'im:write']);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('declares the "Deploy a GPU" global shortcut with the callback id the bot listens to', () => {
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ name: 'Deploy a GPU', type: 'global', callback_id: SHORTCUT.deploy })]);
    expect(manifestGlobalShortcuts()).toEqual([SHORTCUT.deploy]);
  });

  it('turns the App Home tab on and subscribes to app_home_opened on the Bolt endpoint, with no extra scope', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
  });
});
