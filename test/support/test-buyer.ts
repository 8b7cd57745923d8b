import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type BuyerHandler = (req: ReceivedRequest, res: http.ServerResponse, socket: import('node:net').Socket) => void;

/** A real HTTP buyer on 127.0.0.1 that records what it receives and answers as the test says. */
export class TestBuyer {
  readonly received: ReceivedRequest[] = [];
  private server?: http.Server;
  handler: BuyerHandler = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"result":"success"}');
  };

  /** Accept every lead, answering only after `ms` (so attempts are in flight when a test strikes). */
  acceptAfter(ms: number): void {
    this.handler = (_req, res) => {
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end('{"result":"success"}');
      }, ms);
    };
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const entry = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(entry);
        this.handler(entry, res, req.socket);
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
