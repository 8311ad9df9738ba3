import {
  ErrorCode,
  TouchpointError,
  createIntegrationRequest,
  integrationListResponse,
  integrationWithToken,
  revokeIntegrationResponse,
  type IntegrationView,
} from '@touchpoint/protocol';
import { z } from 'zod';
import { clientIdPrefixOf, type IntegrationAccount } from '../../fleet/integrations.js';
import { HttpError, statusFor } from '../errors.js';
import { route, type Route } from '../router.js';

/**
 * Integration accounts for admins (issue 13, "Admins manage them in the console too").
 * The same store as `touchpoint integration …`; rotate and revoke close the account's
 * live MQTT connections through `Integrations.onChange`. Token hashes never leave it.
 */

function view(account: IntegrationAccount): IntegrationView {
  return { ...account, clientIdPrefix: clientIdPrefixOf(account) };
}

/**
 * The store's refusals (bad filters, a taken name, the built-in account) as HTTP errors,
 * so the router answers with their status and audits them as refusals of this action.
 */
export function refusal<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw asHttpRefusal(err);
  }
}

/** `refusal` for a store call that answers with a promise (the stores on the store layer, issue 15). */
export async function asyncRefusal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asHttpRefusal(err);
  }
}

function asHttpRefusal(err: unknown): unknown {
  return err instanceof TouchpointError && !(err instanceof HttpError) && statusFor(err.code) < 500
    ? new HttpError(err.code, err.message)
    : err;
}

// `:id` is the account's name: the router records it as the target of a refused call.
export const integrationRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/integrations',
    role: 'admin',
    action: 'integration.list',
    response: integrationListResponse,
    handle: async (_input, deps) => ({ items: (await deps.fleet.integrations.list()).map(view) }),
  }),
  route({
    // createdBy is the member's login name, readable in the list as the CLI's `cli` is; the audit keeps the id.
    method: 'POST',
    path: '/api/integrations',
    role: 'admin',
    action: 'integration.create',
    body: createIntegrationRequest,
    response: integrationWithToken,
    status: 201,
    // Room for the schema's own caps (4 lists of 64 filters of 256 characters); zod then enforces them.
    bodyLimit: 96 * 1024,
    handle: async ({ body, auth }, deps) => {
      const { name, ...rights } = body;
      const { account, token } = await asyncRefusal(() => deps.fleet.integrations.add(name, rights, auth.staff.name));
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'integration.create',
        target: name,
        outcome: 'ok',
        detail: { rights: account.rights },
      });
      return { account: view(account), token };
    },
  }),
  route({
    method: 'POST',
    path: '/api/integrations/:id/rotate',
    role: 'admin',
    action: 'integration.rotate',
    body: z.object({}),
    response: integrationWithToken,
    handle: async ({ params, auth }, deps) => {
      const name = params.id!;
      const token = await asyncRefusal(() => deps.fleet.integrations.rotate(name));
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'integration.rotate',
        target: name,
        outcome: 'ok',
      });
      return { account: view(current(await deps.fleet.integrations.get(name), name)), token };
    },
  }),
  route({
    method: 'POST',
    path: '/api/integrations/:id/revoke',
    role: 'admin',
    action: 'integration.revoke',
    body: z.object({}),
    response: revokeIntegrationResponse,
    handle: async ({ params, auth }, deps) => {
      const name = params.id!;
      await asyncRefusal(() => deps.fleet.integrations.revoke(name));
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'integration.revoke',
        target: name,
        outcome: 'ok',
      });
      return { account: view(current(await deps.fleet.integrations.get(name), name)) };
    },
  }),
];

function current(account: IntegrationAccount | undefined, name: string): IntegrationAccount {
  if (!account) throw new TouchpointError(ErrorCode.INTERNAL, `integration ${name} vanished while it was changed`);
  return account;
}
