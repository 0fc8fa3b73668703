// `cx config set <key> <value>`: one setting into the config file (as `gh config set`), checked with the
// rules every run reads it with, written atomically and owner-only (src/config/config-write.ts).
import type { Command } from 'commander';
import { readConfigDocument, valueToStore, writeConfigDocument } from '../../config/config-write.js';
import { EXIT } from '../../errors.js';
import { printOutcome } from '../../render/index.js';
import { handleBare, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';
import { overriddenBy } from './unset.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'Keys: db, policy, agent, tz, desk, platform_url (README "Settings"). A value is checked as every cx run ' +
      'checks the file, and a refused one is not written (exit 2). A relative db or policy path is taken from ' +
      'the current folder; ~/ stays as typed. The file is written whole, mode 0600, in one step; a folder ' +
      'missing on a fresh machine is made. The platform secret never goes in the file.',
  ]);
  handleBare(cmd, runtime, async (run, key: string, value: string) => {
    const doc = readConfigDocument(run.io.env);
    const stored = valueToStore(doc, key, value, process.cwd());
    const json = { key, value: stored, config_file: doc.path };
    const note = overriddenBy(run.io.env, key);
    if (doc.values[key] === stored) {
      printOutcome(run, { outcome: 'already_done', detail: `${key} is already ${JSON.stringify(stored)} in ${doc.path}` }, note, { outcome: 'already_done', ...json });
      return EXIT.ok;
    }
    if (run.dryRun) {
      printOutcome(run, { outcome: 'planned', detail: `would set ${key} to ${JSON.stringify(stored)} in ${doc.path}` }, note, { outcome: 'planned', ...json });
      return EXIT.ok;
    }
    writeConfigDocument(doc, { ...doc.values, [key]: stored });
    printOutcome(run, { outcome: 'done', detail: `set ${key} to ${JSON.stringify(stored)} in ${doc.path}` }, note, { outcome: 'done', ...json });
    return EXIT.ok;
  });
}
