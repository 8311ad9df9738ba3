import type { Aedes, Client } from 'aedes';
import type { Integrations } from '../fleet/integrations.js';
import type { Logger } from '../logger.js';
import { identityOf } from './identity.js';

/**
 * A rotated or revoked integration account loses its live connections: at
 * once when the change happens in this process (console, API), and within
 * `checkMs` when another process changed it (`touchpoint integration revoke`
 * on the same database).
 */
export function closeIntegrationClientsOnChange(
  aedes: Aedes,
  integrations: Integrations,
  log: Logger,
  checkMs: number,
): () => void {
  const byAccount = new Map<string, Set<Client>>();
  aedes.on('client', (client) => {
    const identity = identityOf(client);
    if (identity?.kind !== 'integration') return;
    let clients = byAccount.get(identity.account.name);
    if (!clients) byAccount.set(identity.account.name, (clients = new Set()));
    clients.add(client);
  });
  aedes.on('clientDisconnect', (client) => {
    const identity = identityOf(client);
    if (identity?.kind === 'integration') byAccount.get(identity.account.name)?.delete(client);
  });
  const close = (name: string, clients: Iterable<Client>) => {
    const list = [...clients];
    if (list.length === 0) return;
    log.info('closing the connections of a rotated or revoked integration account', {
      integration: name,
      connections: list.length,
    });
    for (const client of list) client.close();
  };
  const stopListening = integrations.onChange((name) => close(name, byAccount.get(name) ?? []));
  const check = async () => {
    try {
      for (const [name, clients] of byAccount) {
        if (clients.size === 0) continue;
        const now = await integrations.get(name);
        // A connection keeps the account as it was at CONNECT; a newer rotation or a revocation ends it.
        close(
          name,
          [...clients].filter((c) => {
            const identity = identityOf(c);
            return (
              !now ||
              now.revokedAt !== null ||
              (identity?.kind === 'integration' && identity.account.rotatedAt !== now.rotatedAt)
            );
          }),
        );
      }
    } catch (err) {
      log.error('integration check failed', { code: 'INTERNAL', reason: (err as Error).message });
    }
  };
  // The check never rejects (it logs), and a slow store only delays the next one.
  const timer = setInterval(() => void check(), checkMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopListening();
  };
}
