// recordChange and enqueueEmail return the row they inserted without reading it back: it must be what the
// table holds.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeByKey, recordChange } from '../../src/store/changes.js';
import { openMirror } from '../../src/store/db.js';
import { emailById, enqueueEmail } from '../../src/store/outbox.js';
import { tempDir } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

describe('recordChange', () => {
  it('returns the row exactly as changeByKey reads it back, defaults included, numbering a repeat n = 2', () => {
    const db = openMirror(join(tempDir(), 'm.db'), { keys: TEST_KEYS, create: true });
    db.exec(`INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
      VALUES ('1001', 'jane@x.com', 'jane@x.com', 'jane@x.com', 'jane@x.com', 'moc.x@enaj', 'client', 'active', '2024-01-01')`);
    const change = { kind: 'email' as const, accountId: '1001', desk: 'cx', ticket: 'T-1', action: 'password_reset', agent: 'dana', now: new Date('2026-11-27T12:00:00.000Z'), data: { template: 't', to: 'jane@x.com', subject: 's' } };
    const first = recordChange(db, change);
    const second = recordChange(db, change);
    expect(first).toEqual(changeByKey(db, first.key));
    expect(second).toEqual(changeByKey(db, second.key));
    expect([first.n, second.n, second.id - first.id, second.state, second.attempts]).toEqual([1, 2, 1, 'pending', 0]);
    db.close();
  });
});

describe('enqueueEmail', () => {
  it('returns the email exactly as emailById reads it back', () => {
    const db = openMirror(join(tempDir(), 'm.db'), { keys: TEST_KEYS, create: true });
    db.exec(`INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
      VALUES ('1001', 'jane@x.com', 'jane@x.com', 'jane@x.com', 'jane@x.com', 'moc.x@enaj', 'client', 'active', '2024-01-01')`);
    const queued = enqueueEmail(db, { to: 'jane@x.com', template: 'client_password_reset', subject: 'Reset your password', accountId: '1001', desk: 'cx', ticket: 'T-2', action: 'password_reset', agent: 'dana', now: new Date('2026-11-27T12:00:00.000Z') });
    expect(queued).toEqual(emailById(db, queued.id));
    db.close();
  });
});
