import type { Aedes, Client } from 'aedes';
import type { Integrations } from '../fleet/integrations.js';
import type { Logger } from '../logger.js';
import { identityOf } from './identity.js';

/** A rotated or revoked integration account loses its live connections at once, not at their next reconnect. */
export function closeIntegrationClientsOnChange(aedes: Aedes, integrations: Integrations, log: Logger): () => void {
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
  return integrations.onChange((name) => {
    const clients = byAccount.get(name);
    if (!clients) return;
    log.info('closing the connections of a changed integration account', { integration: name, connections: clients.size });
    for (const client of [...clients]) client.close();
  });
}
