import type { Aedes } from 'aedes';
import { createAuthenticate, type AuthenticateDeps } from './authenticate.js';
import { createAuthorizePublish, type AuthorizePublishDeps } from './authorize-publish.js';
import { createAuthorizeSubscribe } from './authorize-subscribe.js';
import { guardHook } from './guard-hook.js';
import { rememberWill } from './will.js';

const NOT_AUTHORIZED = 5; // CONNACK 0x05

/**
 * Installs every aedes hook, each behind guardHook: a hook that throws refuses
 * (CONNACK 5, a closed connection, a negated SUBACK) and counts
 * `hook.error.<name>`; the exception never reaches the process.
 */
export function installHooks(aedes: Aedes, deps: AuthenticateDeps & AuthorizePublishDeps): void {
  const { counters, log } = deps;
  aedes.preConnect = guardHook('preConnect', counters, log, (client, packet, done: (error: Error | null, success: boolean) => void) => {
    rememberWill(client, packet);
    done(null, true);
  }, (err) => [err, false]);
  aedes.authenticate = guardHook('authenticate', counters, log, createAuthenticate(deps), (err) => [Object.assign(err, { returnCode: NOT_AUTHORIZED }), false]);
  aedes.authorizePublish = guardHook('authorizePublish', counters, log, createAuthorizePublish(deps), (err) => [err]);
  aedes.authorizeSubscribe = guardHook('authorizeSubscribe', counters, log, createAuthorizeSubscribe(counters, log), () => [null, null]);
}
