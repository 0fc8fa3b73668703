// `cx config unset <key>`: one key out of the config file (as `gh config` has it), the rest kept; also a
// key the reader refuses, so that a file that stops every command can be mended with cx itself.
import type { Command } from 'commander';
import { isConfigKey, readConfigDocument, unknownKey, writeConfigDocument } from '../../config/config-write.js';
import type { ConfigKey } from '../../config/config-file.js';
import { EXIT } from '../../errors.js';
import { printOutcome, type Line, type Said } from '../../render/index.js';
import { handleBare, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';

/** The variable that, when set, wins over the config file's key (README "Settings"). */
const ENVIRONMENT: Record<ConfigKey, string> = { db: 'CX_DB', policy: 'CX_POLICY', agent: 'CX_AGENT', tz: 'TZ', desk: 'CX_DESK', platform_url: 'CX_PLATFORM_URL' };

/** A line saying the environment overrides the key, when it does. */
export function overriddenBy(env: NodeJS.ProcessEnv, key: string): Line[] {
  const name = isConfigKey(key) ? ENVIRONMENT[key] : undefined;
  return name && env[name]?.trim() ? [`Note: ${name} is set in the environment and wins over the config file.`] : [];
}

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, ['The other keys stay as they are; the file is written whole, mode 0600, in one step. A key not in the file is already done.']);
  handleBare(cmd, runtime, async (run, key: string) => {
    const doc = readConfigDocument(run.io.env);
    // --json: the outcome object (outcome, detail) with the key, its value now (none) and the file.
    const say = (said: Said, notes: Line[] = []): number => {
      printOutcome(run, said, notes, { ...said, key, value: null, config_file: doc.path });
      return EXIT.ok;
    };
    if (!(key in doc.values)) {
      if (!isConfigKey(key)) throw unknownKey(key);
      return say({ outcome: 'already_done', detail: `${key} is not set in ${doc.exists ? doc.path : `the config file (there is none at ${doc.path})`}` });
    }
    if (run.dryRun) return say({ outcome: 'planned', detail: `would take ${key} out of ${doc.path}` });
    const { [key]: _gone, ...rest } = doc.values;
    writeConfigDocument(doc, rest);
    return say({ outcome: 'done', detail: `took ${key} out of ${doc.path}` }, overriddenBy(run.io.env, key));
  });
}
