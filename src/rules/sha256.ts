// The hex SHA-256 of a short text (an audit row's chain hash, a change's key): a batch makes one or two per
// ticket. crypto.hash is the one-shot form (a third of createHash's cost); Node before 20.12 lacks it.
import * as crypto from 'node:crypto';

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
