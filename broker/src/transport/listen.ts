import type { Server } from 'node:net';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/** Listens and turns EADDRINUSE into a clear error naming the port and the option to change it. */
export function listen(server: Server, port: number, host: string, what: string, option: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(
          new TouchpointError(
            ErrorCode.CONFLICT,
            `${what} port ${port} on ${host} is already in use; choose another with ${option} N`,
          ),
        );
      else if (err.code === 'EACCES')
        reject(
          new TouchpointError(
            ErrorCode.NOT_AUTHORIZED,
            `no permission to listen on ${host}:${port} for ${what}; use a port above 1023 with ${option} N`,
          ),
        );
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
