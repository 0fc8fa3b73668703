// Email-address rules for cx: one import point. Policy: docs/email-policy.md.
// The work is split by concern (syntax, mailbox folding, domain knowledge: the email-*.ts modules) to keep
// files small. What cx's emails say is another matter: rules/outgoing-email.ts.

export type { ParsedAddress, AddressCheck } from './email-syntax.js';
export { cleanAddressInput, checkAddress, addressKey } from './email-syntax.js';
export { mailboxKey, baseMailboxKey, plusTag, supportsPlusAddressing } from './email-mailbox.js';
export { isDisposableDomain, suggestDomain, editDistance } from './email-domains.js';
