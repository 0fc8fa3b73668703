import { notBuiltYet } from '../not-built-yet.js';

export const configure = notBuiltYet('notes export', 6);
