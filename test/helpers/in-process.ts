// cx run in the test's own process: `main()` of src/index.ts with the same arguments, environment, folder
// and stdin a process run gets (test/helpers/cx.ts), its stdout and stderr captured. Milliseconds where a
// process costs ~0.2 s: the rule variants run here, against a real SQLite file; what is about processes
// (another user, a terminal, signals, pipes, two processes racing, bin/cx.js itself) stays in cx().
//
// What a process run has that this one must give it:
// - the environment: io.env, and process.env for the call (chalk, TZ and the few settings still read from
//   process.env), restored after;
// - the clock: a process's is pinned at NOW (test/helpers/env.ts), this one's through IO.clock;
// - the current folder: process.chdir for the call (the forks pool allows it), restored after;
// - no terminal: interactive false, stdin the given input, no width;
// - no colour: chalk decides once per process, so a run that asks for colour is refused here;
// - a clean process after it: the signal handlers src/files/cancellation.ts installs must be gone.
// Runs take turns (process.env and the folder belong to the whole process): a test that needs two cx at
// once needs processes anyway.
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/index.js';
import type { IO } from '../../src/io.js';
import { baseEnv, cxResult, NOW, REPO, type CxResult, type RunOptions } from './cx.js';

export type InProcessOptions = Omit<RunOptions, 'uid' | 'gid' | 'as'>;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Paths that name this process's own streams: only a process of its own has them to itself. */
const OWN_STREAMS = /^\/(dev\/(stdin|stdout|stderr|fd\/)|proc\/self\/fd\/)/;

let turn: Promise<unknown> = Promise.resolve();

/** cx, in this process: no terminal, stdin the given input (else empty), the same CxResult as cx(). */
export function cxIn(args: string[], opts: InProcessOptions = {}): Promise<CxResult> {
  refuseWhatNeedsAProcess(args, opts);
  const run = turn.then(() => runOnce(args, opts));
  turn = run.catch(() => undefined);
  return run;
}

function refuseWhatNeedsAProcess(args: string[], opts: RunOptions): void {
  const why = (reason: string) => new Error(`cxIn(${JSON.stringify(args)}): ${reason}; use cx() from test/helpers/cx.ts`);
  if (opts.uid !== undefined || opts.gid !== undefined || opts.as) throw why('another user needs a process of its own');
  const own = args.find((a) => OWN_STREAMS.test(a));
  if (own) throw why(`${own} is the test process's own stream`);
  if (args.some((a) => a.startsWith('--color'))) throw why('colour is decided once per process');
  const env = opts.env ?? {};
  if ('FORCE_COLOR' in env || ('NO_COLOR' in env && !env.NO_COLOR)) throw why('colour is decided once per process');
}

async function runOnce(args: string[], opts: InProcessOptions): Promise<CxResult> {
  const env = baseEnv(opts.db, opts.env, 'real');
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end(opts.input ?? '');
  const pinned = opts.now === 'real' ? undefined : new Date(opts.now ?? NOW);
  const io: IO = {
    stdin, stdout, stderr, interactive: false, stderrIsTTY: false, stdoutIsTTY: false, columns: () => undefined, env,
    ...(pinned ? { clock: () => new Date(pinned) } : {}),
  };

  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedListeners = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  setProcessEnv(env);
  let code: number;
  try {
    process.chdir(opts.cwd ?? REPO);
    code = await main([process.execPath, 'cx', ...args], io);
  } finally {
    process.chdir(savedCwd);
    setProcessEnv(savedEnv);
  }
  const leaked = SIGNALS.filter((s) => process.listeners(s).some((l) => !savedListeners.get(s)!.includes(l)));
  for (const s of leaked) for (const l of process.listeners(s)) if (!savedListeners.get(s)!.includes(l)) process.removeListener(s, l as () => void);
  if (leaked.length) throw new Error(`cx ${args.join(' ')} left handlers for ${leaked.join(', ')} installed (src/files/cancellation.ts): a process would still catch them`);
  return cxResult(code, stdout.text(), stderr.text());
}

/** Make process.env exactly `env` (keys not in it removed), as a spawned process would see it. */
function setProcessEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

/** A stream that keeps what is written, as a pipe to the test would. */
class Capture extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** `cx audit --verify` must hold after every test that changes the mirror. */
export async function auditChainHolds(db: string): Promise<boolean> {
  const r = await cxIn(['audit', '--verify', '--json'], { db });
  return r.code === 0 && r.json().ok === true;
}
