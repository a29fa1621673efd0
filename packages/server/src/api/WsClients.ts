import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';

/** Open sockets one process keeps; more are refused (1013, try again later), so a flood cannot exhaust memory. */
const MAX_SOCKETS = 10_000;

/**
 * The frontends' WebSockets, by the `ws_client_id` each was given in its `connection_ack`. An OAuth flow started
 * with that id sends its result to the socket (contract B.3). Only this process's sockets are known here: with
 * several API processes, FlowResultRelay hands a result to the process that holds its socket.
 */
export class WsClients {
  private readonly sockets = new Map<string, WebSocket>();

  /** Registers a new socket, answers `connection_ack` with its id, and forgets it when it closes; undefined when full. */
  accept(socket: WebSocket): string | undefined {
    if (this.sockets.size >= MAX_SOCKETS) {
      socket.close(1013, 'too many open sockets; try again later');
      return undefined;
    }
    const id = randomUUID();
    this.sockets.set(id, socket);
    socket.on('close', () => this.sockets.delete(id));
    socket.on('error', () => this.sockets.delete(id));
    socket.send(JSON.stringify({ message_type: 'connection_ack', ws_client_id: id }));
    return id;
  }

  /** Sends a JSON frame to client `id`; false when no such socket is open here. */
  send(id: string, frame: Record<string, unknown>): boolean {
    const socket = this.sockets.get(id);
    if (!socket || socket.readyState !== socket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Open sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Closes every socket (at shutdown). */
  closeAll(): void {
    for (const socket of this.sockets.values()) socket.close(1001, 'server stopping');
    this.sockets.clear();
  }
}
