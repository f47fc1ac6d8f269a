import type net from 'node:net';

/**
 * A TCP listener (plain or HTTP) that can be taken down and brought back on the same port: down closes the listening
 * socket and every open connection, so a client sees ECONNREFUSED rather than a hang.
 */
export class RestartableListener {
  private readonly sockets = new Set<net.Socket>();
  private listening = false;
  port: number;

  constructor(
    readonly server: net.Server,
    readonly host: string,
    port: number,
  ) {
    this.port = port;
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get isListening(): boolean {
    return this.listening;
  }

  async start(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.listening = true;
  }

  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
