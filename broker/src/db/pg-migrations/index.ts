import { sql as initial } from './001-initial.js';
import { sql as consoleIndexes } from './002-console-indexes.js';
import { sql as staffLogin } from './004-staff-login.js';
import { sql as integrations } from './006-integrations.js';
import { sql as cesScale } from './007-ces-scale.js';
import { sql as caseRequestTime } from './008-case-request-time.js';
import { sql as sessionResolution } from './009-session-resolution.js';
import { sql as caseHistory } from './010-case-history.js';
import { sql as sharedState } from './011-shared-state.js';
import { sql as caseErrorCodes } from './012-case-error-codes.js';
import { sql as webhooks } from './013-webhooks.js';
import { sql as caseBundles } from './014-case-bundles.js';
import { sql as caseChat } from './015-case-chat.js';
import { sql as phoneAccess } from './016-phone-access.js';
import { sql as contentVersions } from './017-content-versions.js';
import { sql as rollouts } from './018-rollouts.js';

/**
 * The PostgreSQL set: one twin for each SQLite migration (../migrations), with the same number and name,
 * so `schema_migrations` reads the same in both (issue 15). A new SQLite migration gets its twin here.
 */
export const pgMigrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'console-indexes', sql: consoleIndexes },
  { version: 4, name: 'staff-login', sql: staffLogin },
  { version: 6, name: 'integrations', sql: integrations },
  { version: 7, name: 'ces-scale', sql: cesScale },
  { version: 8, name: 'case-request-time', sql: caseRequestTime },
  { version: 9, name: 'session-resolution', sql: sessionResolution },
  { version: 10, name: 'case-history', sql: caseHistory },
  { version: 11, name: 'shared-state', sql: sharedState },
  { version: 12, name: 'case-error-codes', sql: caseErrorCodes },
  { version: 13, name: 'webhooks', sql: webhooks },
  { version: 14, name: 'case-bundles', sql: caseBundles },
  { version: 15, name: 'case-chat', sql: caseChat },
  { version: 16, name: 'phone-access', sql: phoneAccess },
  { version: 17, name: 'content-versions', sql: contentVersions },
  { version: 18, name: 'rollouts', sql: rollouts },
];
