/** A scriptable HTTP server on 127.0.0.1:0: each request takes the next scripted reply (the last one repeats). */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** `hang` never answers (until stop); `destroy` drops the socket without a response. */
export type Reply =
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | 'hang'
  | 'destroy';

export interface Stub {
  url: string;
  seen: SeenRequest[];
  /** Replaces the script. */
  script(...replies: Reply[]): void;
  stop(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  let replies: Reply[] = [{ status: 200, body: [] }];
  const seen: SeenRequest[] = [];
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (reply === 'hang') return void hung.add(res);
      if (reply === 'destroy') return void req.socket.destroy();
      const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
      res.writeHead(reply.status, {
        'content-type': reply.raw !== undefined ? 'text/html' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    script: (...r) => {
      replies = r.length ? r : [{ status: 200, body: [] }];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
