// The retention policy file (`--policy`, else $CX_POLICY): read, validated against its schema (zod) and
// filled in with the defaults (policy.ts). Apart from policy.ts so that only a run given a policy file, or
// checking one, loads zod. loadPolicy is the only function here that touches the file system.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { MissingFileError, readTrustedFile } from '../files/trusted-file.js';
import { describePlace, jsonErrorPlace } from './json-syntax.js';
import { DEFAULT_POLICY, type RetentionNumbers, type RetentionPolicy } from './policy.js';

const POLICY_FILE_LABEL = 'retention policy file';

/** A policy file that cannot be read or holds a bad value: a usage error (exit 2), wherever it is thrown. */
export class PolicyFileError extends UsageError {
  constructor(
    /** The policy file, as given. */
    readonly file: string,
    /** The first bad field, dotted (`states.TX.minorYears`), or null when the file itself is the problem. */
    readonly field: string | null,
    detail: string,
  ) {
    super(`policy file ${file}: ${detail}`, 'fix the file, or leave out --policy and $CX_POLICY to use the built-in defaults');
  }
}

// USPS codes for the states, DC and the territories: a typo such as "TZ" would otherwise never match.
const US_STATE_CODES = new Set(
  ('AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH ' +
    'OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP').split(' '),
);

function wholeNumber(min: number, max: number) {
  const range = `a whole number from ${min} to ${max}`;
  return z
    .number({ error: `must be ${range}` })
    .int({ error: `must be ${range}` })
    .min(min, { error: `must be ${range}` })
    .max(max, { error: `must be ${range}` });
}

const numberFields = {
  adultYears: wholeNumber(0, 100).optional(),
  majorityAge: wholeNumber(14, 25).optional(),
  minorYears: wholeNumber(0, 100).optional(),
};

const stateKey = z.string().refine((key) => /^[A-Z]{2}$/.test(key) && US_STATE_CODES.has(key));

const policyFileSchema = z.strictObject({
  ...numberFields,
  states: z.record(stateKey, z.strictObject(numberFields), { error: 'must be an object of state overrides' }).optional(),
});

function describeIssue(issue: z.core.$ZodIssue): { field: string | null; text: string } {
  const path = issue.path.map(String).join('.');
  const field = path === '' ? null : path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const where = field === null ? '' : `${field}.`;
      const names = issue.keys.map((k) => `"${where}${k}"`).join(', ');
      const allowed = field === null ? 'adultYears, majorityAge, minorYears, states' : 'adultYears, majorityAge, minorYears';
      return { field: `${where}${issue.keys[0] ?? ''}`, text: `unknown field ${names} (allowed: ${allowed})` };
    }
    case 'invalid_key':
      return { field, text: `"${field}": a state must be a two-letter upper-case US state code such as "TX"` };
    default:
      if (field === null) return { field, text: 'must be a JSON object such as {"adultYears": 7, "states": {"TX": {"minorYears": 2}}}' };
      return { field, text: `"${field}" ${issue.message}` };
  }
}

/** Validate a parsed policy file and fill in the defaults. Throws PolicyFileError naming the bad field. */
export function parsePolicy(json: unknown, source: string): RetentionPolicy {
  const parsed = policyFileSchema.safeParse(json);
  if (!parsed.success) {
    const described = parsed.error.issues.map(describeIssue);
    throw new PolicyFileError(source, described[0]?.field ?? null, described.map((d) => d.text).join('; '));
  }
  const file = parsed.data;
  const states: Record<string, Partial<RetentionNumbers>> = {};
  for (const [code, override] of Object.entries(file.states ?? {})) {
    const clean: Partial<RetentionNumbers> = {};
    if (override.adultYears !== undefined) clean.adultYears = override.adultYears;
    if (override.majorityAge !== undefined) clean.majorityAge = override.majorityAge;
    if (override.minorYears !== undefined) clean.minorYears = override.minorYears;
    states[code] = clean;
  }
  return {
    source,
    adultYears: file.adultYears ?? DEFAULT_POLICY.adultYears,
    majorityAge: file.majorityAge ?? DEFAULT_POLICY.majorityAge,
    minorYears: file.minorYears ?? DEFAULT_POLICY.minorYears,
    states,
  };
}

/** The built-in policy when no file is given; else read, parse and validate the file. */
export function loadPolicy(path: string | undefined): RetentionPolicy {
  if (path === undefined) return DEFAULT_POLICY;
  let text: string;
  try {
    // Held to the config file's rule: whoever could write it could shorten every retention date recorded.
    text = readTrustedFile(path, 'settings', POLICY_FILE_LABEL);
  } catch (err) {
    if (err instanceof MissingFileError) throw new PolicyFileError(path, null, 'cannot be read (no such file)');
    if (err instanceof UsageError) throw err;
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : err instanceof Error ? err.message : String(err);
    throw new PolicyFileError(path, null, `cannot be read (${why})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // Never JSON.parse's message: it quotes the text, which may hold a secret pasted in by mistake.
    const place = describePlace(jsonErrorPlace(text));
    throw new PolicyFileError(path, null, place ? `is not valid JSON (${place})` : 'is not valid JSON');
  }
  return parsePolicy(json, path);
}

