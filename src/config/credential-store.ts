// The operating system's credential store (macOS Keychain, Windows Credential Manager, the Secret Service
// on a Linux desktop) through @napi-rs/keyring: one entry per mirror, service "cx", account the mirror's id.
//
// The package is loaded on the first call only, synchronously (its addon is CommonJS; the mirror is opened
// synchronously): a lookup whose key comes from CX_DB_KEY_FILE, CX_DB_KEY or cx's own key file never loads
// it, nor pays for D-Bus. On Linux it is pinned to the Secret Service: its default falls back to the kernel
// keyring, which forgets every key at logout (and is shared by every process of the session).
// "Answers" means: the package loads, the store is reachable and unlocked. Anything else is a store that
// does not answer, and cx keeps the key in its own file instead (src/config/mirror-key.ts).
import { createRequire } from 'node:module';

type Keyring = typeof import('@napi-rs/keyring');

export const SERVICE = 'cx';
const OPTIONS = { linux: { store: 'secret-service' as const } };

let keyring: Keyring | null | undefined;

function load(): Keyring | null {
  if (keyring === undefined) {
    try {
      keyring = createRequire(import.meta.url)('@napi-rs/keyring') as Keyring;
    } catch {
      keyring = null; // no build of it for this platform
    }
  }
  return keyring;
}

/** The store's name as people know it on this system. */
export function storeName(): string {
  if (process.platform === 'darwin') return 'the macOS Keychain';
  if (process.platform === 'win32') return 'the Windows Credential Manager';
  return 'the Secret Service (the desktop keyring)';
}

/**
 * Why the store could not keep a key, in plain words: the library's own message (a DBus error about X11
 * autolaunch, say) means nothing to an agent, and the fix is the same whatever it says.
 */
export function storeUnavailable(): string {
  if (process.platform === 'darwin' || process.platform === 'win32') return `${storeName()} did not answer`;
  return 'no desktop keyring (Secret Service) answered';
}

export type StoreRead = { answered: true; secret: string | null } | { answered: false; why: string };

/** The secret kept under `account`: null when the store has no such entry. */
export function readSecret(account: string): StoreRead {
  try {
    const entry = entryFor(account);
    return { answered: true, secret: entry.getPassword() };
  } catch (err) {
    return { answered: false, why: reason(err) };
  }
}

/**
 * Keep `secret` under `account`; false when the store does not answer (`why`: its own words) or does not give
 * the secret back (`readBack`).
 */
export function writeSecret(account: string, secret: string): { ok: true } | { ok: false; why: string; readBack?: true } {
  try {
    const entry = entryFor(account);
    entry.setPassword(secret);
    // A store that takes the write but cannot give it back (seen: a keyring with no default collection)
    // is no place for the only copy of a key.
    if (entry.getPassword() !== secret) return { ok: false, why: 'the entry could not be read back', readBack: true };
    return { ok: true };
  } catch (err) {
    return { ok: false, why: reason(err) };
  }
}

/** Remove the entry; true when there was one. A store that does not answer removes nothing. */
export function deleteSecret(account: string): boolean {
  try {
    return entryFor(account).deletePassword();
  } catch {
    return false;
  }
}

function entryFor(account: string): InstanceType<Keyring['Entry']> {
  const k = load();
  if (!k) throw new Error('@napi-rs/keyring has no build for this system');
  return new k.Entry(SERVICE, account, OPTIONS);
}

/** The store's own words ("DBus error: …"), on one line. */
function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}
