import type { Aedes } from 'aedes';
import { createAuthenticate, type AuthenticateDeps } from './authenticate.js';
import { createAuthorizePublish, type AuthorizePublishDeps } from './authorize-publish.js';
import { createAuthorizeSubscribe } from './authorize-subscribe.js';
import { createAuthorizeForward } from './authorize-forward.js';
import { guardHook } from './guard-hook.js';
import { createPreConnect, type PreConnectLimits } from './pre-connect.js';
import type { WillSweep } from './will-sweep.js';

const NOT_AUTHORIZED = 5; // CONNACK 0x05

/**
 * Installs every aedes hook, each behind guardHook: a hook that throws refuses
 * (CONNACK 5, a closed connection, a negated SUBACK) and counts
 * `hook.error.<name>`; the exception never reaches the process. A stored will
 * (null client) is judged only while the broker is not closing (will-sweep.ts).
 */
export function installHooks(
  aedes: Aedes,
  deps: AuthenticateDeps & AuthorizePublishDeps & { limits: PreConnectLimits; willSweep: WillSweep },
): void {
  const { counters, log } = deps;
  aedes.preConnect = guardHook('preConnect', counters, log, createPreConnect(deps.limits), (err) => [err, false]);
  aedes.authenticate = guardHook('authenticate', counters, log, createAuthenticate(deps), (err) => [
    Object.assign(err, { returnCode: NOT_AUTHORIZED }),
    false,
  ]);
  aedes.authorizePublish = deps.willSweep.guard(
    guardHook('authorizePublish', counters, log, createAuthorizePublish(deps), (err) => [err]),
  );
  aedes.authorizeForward = createAuthorizeForward(deps);
  aedes.authorizeSubscribe = guardHook('authorizeSubscribe', counters, log, createAuthorizeSubscribe(deps), () => [
    null,
    null,
  ]);
}
