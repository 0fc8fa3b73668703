// docs/reference.md against the code it describes, table by table, both ways: every command and option of
// the commander program (all command modules loaded, as `cx completion` loads them), every exit code, outcome,
// setting (where each comes from, checked through resolveSettings), CX_ variable read anywhere in src/, policy
// key, import column (in the header, may be empty, limit), batch column, ticket type and results column is in
// the reference, and nothing is there that cx does not have. The JSON shapes: reference-json.test.ts.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command, Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_NAMES } from '../../src/actions/doctor.js';
import { FAMILY_AUDIT_COLUMNS } from '../../src/actions/family-audit.js';
import { CASELOAD_COLUMNS } from '../../src/actions/offboard.js';
import { loadDispatch } from '../../src/batch/dispatch.js';
import { EMAIL_KEYS, FIELD_KEYS, headerKey, TICKET_ID_KEYS, TICKET_TYPES, ticketMapper } from '../../src/batch/input.js';
import { OUTCOMES } from '../../src/batch/plan.js';
import { RESULT_COLUMNS } from '../../src/batch/results.js';
import type { CommandEntry } from '../../src/cmdutil/define.js';
import { configureAll } from '../../src/commands/completion.js';
import { SHOWN } from '../../src/commands/config.js';
import { COMMANDS } from '../../src/commands/index.js';
import { CONFIG_KEYS } from '../../src/config/config-file.js';
import { DEFAULT_EMAIL_SETTINGS } from '../../src/config/email.js';
import { DEFAULT_LIMITS } from '../../src/config/platform.js';
import { resolveSettings, type EffectiveSettings } from '../../src/config/resolve.js';
import { DEFAULT_LOCK_WAIT_MS } from '../../src/config/values.js';
import { EXIT, exitCodeForOutcome, type Outcome } from '../../src/errors.js';
import type { IO } from '../../src/io.js';
import { createProgram } from '../../src/program.js';
import { CHANGE_KINDS } from '../../src/rules/change-key.js';
import { FILES } from '../../src/rules/mirror-rows.js';
import { thousands } from '../../src/rules/plural.js';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { DEFAULT_DESK } from '../../src/rules/tickets.js';
import { REPO } from '../helpers/env.js';
import { codes, firstColumn, headings, REFERENCE, section, tableHeaded, tables, type Table } from './reference-doc.js';

const COMMANDS_SECTION = section(REFERENCE, 2, 'Commands');
/** The subsections of "Commands" that are not a command. */
const NOT_A_COMMAND = new Set(['Global options', 'How every command behaves']);

interface Described {
  path: string;
  cmd: Command;
  entry: CommandEntry;
}

/** Every command of the program with every option its module adds, and its registry entry. */
async function everyCommand(): Promise<{ program: Command; commands: Described[] }> {
  const io: IO = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), interactive: false, stderrIsTTY: false, env: {} };
  const { program, runtime } = createProgram(io);
  await configureAll(program, COMMANDS, runtime);
  const commands: Described[] = [];
  const walk = (parent: Command, entries: CommandEntry[], prefix: string): void => {
    for (const entry of entries) {
      const cmd = parent.commands.find((c) => c.name() === entry.name)!;
      const path = `${prefix}${entry.name}`;
      commands.push({ path, cmd, entry });
      if (entry.children) walk(cmd, entry.children, `${path} `);
    }
  };
  walk(program, COMMANDS, '');
  return { program, commands };
}

const flagsOf = (options: readonly Option[]): string[] => options.filter((o) => !o.hidden).map((o) => o.flags);
const sorted = (list: Iterable<string>): string[] => [...list].sort();

let program: Command;
let commands: Described[];
beforeAll(async () => {
  ({ program, commands } = await everyCommand());
});

describe('docs/reference.md, "Commands"', () => {
  it('has a section for every command and subcommand, and none for a command cx does not have', () => {
    const documented = headings(COMMANDS_SECTION, 3).filter((h) => !NOT_A_COMMAND.has(h));
    expect(sorted(documented)).toEqual(sorted(commands.map((c) => `cx ${c.path}`)));
  });

  it('lists the global options as the program declares them', () => {
    const table = tableHeaded(section(COMMANDS_SECTION, 3, 'Global options'), 'option');
    expect(sorted(firstColumn(table))).toEqual(sorted(flagsOf(program.options)));
  });

  it("gives each command's usage and exactly its own options, with commander's flags", () => {
    for (const { path, cmd, entry } of commands) {
      const text = section(COMMANDS_SECTION, 3, `cx ${path}`);
      const usage = /^Usage: `([^`]+)`/m.exec(text)?.[1];
      const args = cmd.registeredArguments.map((a) => (a.required ? ` <${a.name()}>` : ` [${a.name()}]`)).join('');
      const expected = entry.children && !entry.load ? `cx ${path} <command>` : `cx ${path}${args}`;
      expect(usage === expected || usage?.startsWith(`${expected} --`), `cx ${path}: usage "${usage}", expected "${expected}"`).toBe(true);

      const own = flagsOf(cmd.options);
      const optionTables = tables(text).filter((t) => t.header[0] === 'option');
      if (own.length === 0) {
        expect(optionTables, `cx ${path} has no options of its own`).toEqual([]);
        if (entry.load) expect(text, `cx ${path}`).toContain('- No options of its own.');
      } else {
        expect(optionTables.length, `cx ${path}: one table of its options`).toBe(1);
        expect(sorted(firstColumn(optionTables[0]!)), `cx ${path}`).toEqual(sorted(own));
      }
    }
  });

  it('names the global options each command honours, as its help does', () => {
    for (const { path, entry } of commands) {
      const text = section(COMMANDS_SECTION, 3, `cx ${path}`);
      const line = /^- Global options it honours: (.*)$/m.exec(text)?.[1];
      if (!entry.globals) {
        expect(line, `cx ${path} is a group of commands: no line`).toBeUndefined();
        continue;
      }
      expect(line, `cx ${path}: "- Global options it honours:"`).toBeDefined();
      expect(sorted(codes(line!)), `cx ${path}`).toEqual(sorted(entry.globals.map(([flag]) => flag)));
    }
  });
});

describe('docs/reference.md, "Exit codes" and "Outcomes"', () => {
  const EXIT_CODES = sorted(Object.values(EXIT).map(String));

  it('has every exit code of src/errors.ts, and no other', () => {
    const table = tableHeaded(section(REFERENCE, 2, 'Exit codes'), 'code');
    expect(sorted(table.rows.map((r) => r[0]!))).toEqual(EXIT_CODES);
  });

  it("the README's exit-code table too", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const table = tableHeaded(section(readme, 2, 'Exit codes'), 'code');
    expect(sorted(table.rows.map((r) => r[0]!))).toEqual(EXIT_CODES);
  });

  it('has every outcome, each with the exit code a single command gives it', () => {
    const table = tableHeaded(section(REFERENCE, 2, 'Outcomes'), 'outcome');
    expect(sorted(firstColumn(table))).toEqual(sorted(OUTCOMES));
    for (const [cell, code] of table.rows) {
      const outcome = codes(cell!)[0] as Outcome;
      expect(Number(code), outcome).toBe(exitCodeForOutcome(outcome));
    }
  });
});

/** Values each variable and config key accepts, to see that the reference names the right ones. */
const ENV_SAMPLES: Record<string, string> = {
  CX_DB: '/srv/cx/mirror.db',
  CX_DB_KEY_FILE: '/srv/cx/mirror.key',
  CX_DB_KEY: 'ab'.repeat(32),
  CX_POLICY: '/srv/cx/policy.json',
  CX_AGENT: 'dana',
  TZ: 'America/Chicago',
  CX_DESK: 'zendesk',
  CX_PLATFORM_URL: 'https://platform.example.com',
  CX_PLATFORM_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  CX_PLATFORM_SECRET_FILE: '/srv/cx/secret',
  CX_BRAND: 'Acme',
  CX_RESET_WINDOW_MINUTES: '5',
  CX_LOCK_WAIT_MS: '2500',
};
const CONFIG_SAMPLES: Record<string, string> = {
  db: '/srv/cx/mirror.db',
  policy: '/srv/cx/policy.json',
  agent: 'dana',
  tz: 'America/Chicago',
  desk: 'zendesk',
  platform_url: 'https://platform.example.com',
};

describe('docs/reference.md, "Settings"', () => {
  const SETTINGS = section(REFERENCE, 2, 'Settings');
  const table = tableHeaded(SETTINGS, 'setting');
  const others = tableHeaded(section(SETTINGS, 3, 'Other environment variables'), 'variable');
  const column = (t: Table, name: string): number => {
    const at = t.header.indexOf(name);
    if (at < 0) throw new Error(`no column "${name}" in the table headed ${t.header.join(', ')}`);
    return at;
  };
  const noConfig = mkdtempSync(join(tmpdir(), 'cx-reference-'));
  const baseEnv = { XDG_CONFIG_HOME: noConfig };
  // A mirror that is not there: where its key comes from is then read from the settings alone (never a
  // credential store of the machine's user).
  const absent = join(noConfig, 'absent.db');
  const settingOf = (name: string, flags: Record<string, string>, env: NodeJS.ProcessEnv) =>
    resolveSettings(name === 'db' ? flags : { db: absent, ...flags }, { ...baseEnv, ...env })[name as keyof EffectiveSettings] as { source: string; value: unknown };

  it('lists every setting `cx config` shows, in its order', () => {
    expect(firstColumn(table)).toEqual([...SHOWN]);
  });

  it('names the config file keys cx reads, and no other', () => {
    expect(sorted(table.rows.flatMap((r) => codes(r[column(table, 'config file key')]!)))).toEqual(sorted(CONFIG_KEYS));
  });

  it('says where each setting comes from: its flag, its variables and its config key each give it', () => {
    for (const row of table.rows) {
      const name = codes(row[0]!)[0]!;
      expect(settingOf(name, {}, {}).source, `${name} without anything set`).toBe('default');
      for (const flag of codes(row[column(table, 'flag')]!)) {
        const option = program.options.find((o) => o.flags === flag);
        expect(option, `${name}: ${flag} is a global option`).toBeDefined();
        expect(settingOf(name, { [option!.attributeName()]: ENV_SAMPLES[`CX_${name.toUpperCase()}`] ?? 'x' }, {}).source, `${name} from ${flag}`).toBe('flag');
      }
      for (const variable of codes(row[column(table, 'environment')]!)) {
        expect(ENV_SAMPLES[variable], `a sample value for ${variable}`).toBeDefined();
        expect(settingOf(name, {}, { [variable]: ENV_SAMPLES[variable] }).source, `${name} from ${variable}`).toBe('env');
      }
      for (const key of codes(row[column(table, 'config file key')]!)) {
        const file = join(noConfig, `${key}.json`);
        writeFileSync(file, JSON.stringify({ [key]: CONFIG_SAMPLES[key] }));
        expect(settingOf(name, {}, { CX_CONFIG: file }).source, `${name} from the config key ${key}`).toBe('config');
      }
    }
  });

  it('gives the defaults cx uses', () => {
    const defaults = Object.fromEntries(table.rows.map((r) => [codes(r[0]!)[0]!, r[column(table, 'default')]!]));
    expect(defaults.desk).toBe(`\`${DEFAULT_DESK}\``);
    expect(defaults.brand).toBe(`\`${DEFAULT_EMAIL_SETTINGS.brand}\``);
    expect(defaults.reset_window_minutes).toBe(String(DEFAULT_EMAIL_SETTINGS.resetWindowMinutes));
    expect(defaults.lock_wait_ms).toBe(String(DEFAULT_LOCK_WAIT_MS));
    const otherDefaults = Object.fromEntries(others.rows.map((r) => [codes(r[0]!)[0]!, r[column(others, 'default')]!]));
    expect(otherDefaults.CX_PLATFORM_TIMEOUT_MS).toBe(String(DEFAULT_LIMITS.timeoutMs));
    expect(otherDefaults.CX_SYNC_MAX_ATTEMPTS).toBe(String(DEFAULT_LIMITS.maxAttempts));
    expect(otherDefaults.CX_SYNC_CONCURRENCY).toBe(String(DEFAULT_LIMITS.concurrency));
  });

  it('has every CX_ variable src/ reads, and none it does not', () => {
    const inSource = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/\bCX_[A-Z_]+\b/g)) inSource.add(m[0]);
      }
    };
    walk(join(REPO, 'src'));
    const documented = new Set([
      ...table.rows.flatMap((r) => codes(r[column(table, 'environment')]!)),
      ...others.rows.flatMap((r) => codes(r[0]!)),
    ].filter((v) => v.startsWith('CX_')));
    expect(sorted(documented)).toEqual(sorted(inSource));
  });

  it('lists the retention policy keys and their defaults', () => {
    const policy = tableHeaded(section(SETTINGS, 3, 'Retention policy file'), 'key');
    const { source: _source, ...keys } = DEFAULT_POLICY;
    expect(sorted(firstColumn(policy))).toEqual(sorted(Object.keys(keys)));
    for (const [cell, , fallback] of policy.rows) {
      const key = codes(cell!)[0]!;
      if (key !== 'states') expect(fallback, key).toBe(String(keys[key as keyof typeof keys]));
    }
  });
});

describe('docs/reference.md, "Mirror import"', () => {
  const IMPORT = section(REFERENCE, 2, 'Mirror import');
  /** Each file's table: the one after its bold name, with its key. */
  const perFile = new Map<string, { key: string[]; table: Table }>();
  for (const m of IMPORT.matchAll(/^\*\*`([^`]+)`\*\*, key ([^:]+):/gm)) {
    const rest = IMPORT.slice(m.index!);
    perFile.set(m[1]!, { key: codes(m[2]!), table: tables(rest)[0]! });
  }

  it('has a table for every export file cx reads, and no other', () => {
    expect(sorted(perFile.keys())).toEqual(sorted(FILES.map((f) => f.file)));
  });

  it('gives each file its key and every column: in the header or not, may be empty or not, its limit', () => {
    for (const spec of FILES) {
      const { key, table } = perFile.get(spec.file)!;
      expect(key, `${spec.file} key`).toEqual(spec.key);
      expect(sorted(firstColumn(table)), spec.file).toEqual(sorted([...spec.required, ...spec.optional]));
      for (const [cell, header, empty, , limit] of table.rows) {
        const column = codes(cell!)[0]!;
        const where = `${spec.file} ${column}`;
        expect(header, where).toBe(spec.required.includes(column) ? 'required' : 'optional');
        expect(empty, where).toBe((spec.checks[column]?.('') ?? null) === null ? 'yes' : 'no');
        const longest = spec.longest[column];
        expect(limit, where).toBe(longest === undefined ? '' : thousands(longest));
      }
    }
  });
});

describe('docs/reference.md, "Batch input" and "Batch results"', () => {
  const INPUT = section(REFERENCE, 2, 'Batch input');
  const columns = tableHeaded(INPUT, 'column');
  const row = (name: string): string[] => columns.rows.find((r) => codes(r[0]!)[0] === name)!;

  it('has every column cx recognises, the three required ones marked', () => {
    const recognised = ['ticketid', 'type', 'email', ...Object.values(FIELD_KEYS)];
    expect(sorted(firstColumn(columns).map(headerKey))).toEqual(sorted(recognised));
    for (const r of columns.rows) expect(r[1], r[0]).toBe(['`ticket_id`', '`type`', '`email`'].includes(r[0]!) ? 'yes' : 'no');
  });

  it('names every header the ticket id and the address are read from', () => {
    // Headers are compared by key (`ticket_id` and Freshdesk's `Ticket Id` are one).
    const keysOf = (cell: string): string[] => sorted(new Set(codes(cell).map(headerKey)));
    expect(keysOf(row('ticket_id')[2]!)).toEqual(sorted(TICKET_ID_KEYS));
    expect(keysOf(row('email')[2]!)).toEqual(sorted(EMAIL_KEYS));
  });

  it('reads each optional column from the header it names', () => {
    const optional = firstColumn(columns).filter((c) => !['ticket_id', 'type', 'email'].includes(c));
    for (const column of optional) {
      const map = ticketMapper(['ticket_id', 'type', 'email', column], 1);
      const read = map(2, ['T-1', 'lookup', 'jane.doe@gmail.com', 'value']);
      expect(Object.values(read!.fields), column).toEqual(['value']);
    }
  });

  it('has every ticket type', async () => {
    const types = tableHeaded(INPUT, 'type');
    expect(sorted(firstColumn(types))).toEqual(sorted(TICKET_TYPES));
    const actions = await loadDispatch(TICKET_TYPES); // each type's action, loaded as a batch loads it
    expect(sorted(Object.keys(actions).filter((type) => typeof actions[type as keyof typeof actions] === 'function'))).toEqual(sorted(TICKET_TYPES));
  });

  it("has the results file's columns, in their order", () => {
    const results = tableHeaded(section(REFERENCE, 2, 'Batch results'), 'column');
    expect(firstColumn(results)).toEqual([...RESULT_COLUMNS]);
  });
});

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every .ts file under a folder of the repo. */
function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(REPO, dir, f));
}

describe('links into docs/reference.md', () => {
  it('every section a link or a comment names is there', () => {
    const anchors = new Set([...REFERENCE.matchAll(/^#{1,4} (.+)$/gm)].map((m) => slug(m[1]!)));
    const files = [
      join(REPO, 'README.md'),
      join(REPO, 'fixtures/demo/README.md'),
      ...readdirSync(join(REPO, 'docs')).map((f) => join(REPO, 'docs', f)),
      ...['src', 'test', 'scripts'].flatMap(sources),
    ];
    const broken: string[] = [];
    let links = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const own = file.endsWith('reference.md') ? [...text.matchAll(/\]\(#([^)]+)\)/g)] : [];
      for (const m of [...text.matchAll(/reference\.md#([a-z0-9-]+)/g), ...own]) {
        links++;
        if (!anchors.has(m[1]!)) broken.push(`${file.slice(REPO.length + 1)}: #${m[1]}`);
      }
    }
    expect(links).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});

describe('docs/reference.md, the other tables read from the code', () => {
  it('has the columns of the caseload and family audit CSV files, in their order', () => {
    const csv = section(section(REFERENCE, 2, 'Files cx writes'), 3, 'CSV files');
    const columnsAfter = (title: string): string[] => firstColumn(tables(csv.slice(csv.indexOf(`**${title}**`)))[0]!);
    expect(columnsAfter('The caseload')).toEqual([...CASELOAD_COLUMNS]);
    expect(columnsAfter('The family audit')).toEqual([...FAMILY_AUDIT_COLUMNS]);
  });

  it("names the doctor's checks in their order", () => {
    const doctor = tableHeaded(section(section(REFERENCE, 2, 'JSON output'), 3, 'JSON of cx db doctor'), 'key');
    const names = doctor.rows.find((r) => codes(r[0]!)[0] === 'checks[].name')!;
    expect(codes(names[2]!)).toEqual([...CHECK_NAMES]);
  });

  it('has every kind of change cx sends the platform', () => {
    const kinds = tableHeaded(section(REFERENCE, 2, 'Platform API'), 'change kind');
    expect(firstColumn(kinds)).toEqual([...CHANGE_KINDS]);
  });
});
