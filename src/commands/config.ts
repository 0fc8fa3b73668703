// `cx config`: every effective setting, its value (the platform secret masked) and where it came from.
import type { Command } from 'commander';
import { configFileLocation } from '../config/config-file.js';
import { MASKED, type EffectiveSettings, type Setting } from '../config/resolve.js';
import { withoutUserInfo } from '../rules/secret-shape.js';
import { printData, table } from '../render/index.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { helpAfter } from '../cmdutil/help.js';

/** The order `cx config` lists them in: the contract's settings first, then the environment-only ones. */
export const SHOWN = ['db', 'db_key', 'policy', 'agent', 'tz', 'desk', 'platform_url', 'platform_secret', 'brand', 'reset_window_minutes', 'lock_wait_ms'] as const;
export type SettingName = (typeof SHOWN)[number];

interface Row {
  name: SettingName;
  value: string | number | null;
  source: Setting<unknown>['source'];
  from: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'Each setting comes from, in order: the command line, the environment, the config file ($CX_CONFIG, else ' +
      '$XDG_CONFIG_HOME/cx/config.json, else ~/.config/cx/config.json), the default. The config file is JSON ' +
      'with the keys db, policy, agent, tz, desk, platform_url; the platform secret stays in the environment ' +
      '(CX_PLATFORM_SECRET or CX_PLATFORM_SECRET_FILE) and is never shown. db_key says where the mirror\'s key ' +
      'comes from (CX_DB_KEY_FILE, CX_DB_KEY, the OS credential store, cx\'s own key file), never the key.',
    'cx config get, set and unset read one setting and change the file (see their --help).',
  ]);
  handle(cmd, runtime, async (ctx) => {
    const rows = SHOWN.map((name) => row(name, ctx.settings));
    const looked = configFileLocation(ctx.io.env).path;
    const file = { path: ctx.settings.configFile ?? looked, found: ctx.settings.configFile !== null };
    await printData(ctx, { config_file: file, settings: rows }, () => [
        file.found ? `Config file: ${file.path}` : `Config file: none (looked for ${file.path})`,
        table<Row>(
          [
            { header: 'setting', value: (r) => r.name, kind: 'key' },
            { header: 'value', value: (r) => r.value ?? '(not set)', kind: 'key' },
            { header: 'source', value: (r) => r.source, kind: 'key' },
            { header: 'from', value: (r) => r.from, kind: 'text' },
          ],
          rows,
        ),
    ]);
  });
}

/**
 * A setting as cx config shows it: the secrets masked, and so is the user name and password of the platform
 * URL (either may be a credential; cx sync push refuses such a URL, config still shows the rest of it).
 */
export function row(name: SettingName, settings: EffectiveSettings): Row {
  const s: Setting<string | number | null> = settings[name];
  const value = (name === 'platform_secret' || name === 'db_key') && s.value !== null ? MASKED : typeof s.value === 'string' ? withoutUserInfo(s.value, MASKED) : s.value;
  return { name, value, source: s.source, from: s.from };
}
