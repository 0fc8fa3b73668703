// Where cx is and the environment every test run of it gets, process or in-process. No side effects, so
// the global setup can use it too (test/helpers/cx.ts registers cleanup hooks).
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const CX = join(REPO, 'bin/cx.js');
export const DEMO = join(REPO, 'fixtures/demo');
/** Every test run sees the same "now", so retention dates and 15-minute windows are reproducible. */
export const NOW = '2026-11-27T12:00:00.000Z';

/**
 * The clock a run of cx reads: pinned at a time (NOW unless the test says), or the real one. cx honours no
 * setting that moves the clock of an encrypted mirror (src/clock.ts), so the tests pin the system clock
 * itself: a process gets `pinnedClockOption` (Date frozen at that time, as a test double of the operating
 * system's clock), a run in the test's own process gets `IO.clock` (test/helpers/in-process.ts).
 */
export type TestClock = string | 'real';

/**
 * Node's option that freezes a process's Date at `at` (new Date() and Date.now(); a Date of a given time is
 * as before). A data: URL, not a file: another user's process loads it as well.
 */
export function pinnedClockOption(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${at}`);
  const code =
    `const t=${ms};const R=Date;const now=()=>t;` +
    'globalThis.Date=new Proxy(R,{construct(T,a,n){return Reflect.construct(T,a.length?a:[t],n)},apply(){return new R(t).toString()},get(T,p,r){return p==="now"?now:Reflect.get(T,p,r)}});';
  return `--import=data:text/javascript,${encodeURIComponent(code)}`;
}

/**
 * The key every test mirror is encrypted with (CX_DB_KEY in the base environment): the suite runs through the
 * cipher. A test about where keys live or about plaintext mirrors unsets it.
 */
export const TEST_KEY = '5f1c0a93e2d84b67a1c9f03e7d52b8c4e6a0d3f19b27c85e4d6f0a1b3c5e7d92';
/** A config folder that holds no cx/config.json. */
const NO_CONFIG_HOME = join(tmpdir(), 'cx-test-no-config');

/**
 * The environment of a process run of cx; its clock pinned (`clock`, NOW by default), except for a run that
 * talks to a platform (CX_PLATFORM_URL): that one signs its requests with the real time, which the platform
 * checks, and waits for its retries to come due.
 */
export function baseEnv(db: string | undefined, env: Record<string, string | undefined> = {}, clock: TestClock = NOW): NodeJS.ProcessEnv {
  // No config file of the machine's user: a test sees the settings it gives (CX_CONFIG when it wants one).
  const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CX_AGENT: 'test-agent', XDG_CONFIG_HOME: NO_CONFIG_HOME, CX_DB_KEY: TEST_KEY };
  delete merged.FORCE_COLOR;
  delete merged.CX_CONFIG;
  delete merged.CX_DB_KEY_FILE;
  // No test reaches the machine user's own credential store: the one that tests it starts its own.
  delete merged.DBUS_SESSION_BUS_ADDRESS;
  delete merged.CX_NOW;
  Object.assign(merged, env);
  if (db) merged.CX_DB = db;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  if (clock !== 'real' && !merged.CX_PLATFORM_URL) merged.NODE_OPTIONS = [merged.NODE_OPTIONS, pinnedClockOption(clock)].filter(Boolean).join(' ');
  return merged;
}
