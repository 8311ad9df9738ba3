import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * Which of `pids` holds the loopback TCP connection from `localPort` to `remotePort` (Linux /proc): in cluster
 * mode several processes send webhooks, and a test that kills "the one delivering" asks the connection it
 * holds. Undefined when none of them has it (it closed, or it is not IPv4).
 */
export function tcpSocketOwner(localPort: number, remotePort: number, pids: readonly number[]): number | undefined {
  const inode = tcpInode(localPort, remotePort);
  if (inode === undefined) return undefined;
  const link = `socket:[${inode}]`;
  return pids.find((pid) => {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      return false; // exited
    }
    return fds.some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === link;
      } catch {
        return false; // closed meanwhile
      }
    });
  });
}

/** The socket inode of the IPv4 connection local → remote port, from /proc/net/tcp (ports in hex). */
function tcpInode(localPort: number, remotePort: number): string | undefined {
  const port = (address: string) => Number.parseInt(address.split(':')[1] ?? '', 16);
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (port(f[1]!) === localPort && port(f[2]!) === remotePort) return f[9];
  }
  return undefined;
}
