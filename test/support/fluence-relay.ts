/**
 * A real HTTP relay in front of the simulator that can answer one chosen request itself: the
 * answers the simulator never gives for a valid form (a 422 on a field that passed our own checks,
 * an arbitrary 400). Not a mock of our code: the bot's client talks HTTP to it as to Fluence.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Relay {
  url: string;
  answerNext(o: { method: string; path: RegExp; status: number; body: unknown }): void;
  /** From now on, the simulator's JSON answers to matching requests pass through `body` first (large catalogs). */
  rewrite(o: { method: string; path: RegExp; body: (json: any) => unknown }): void;
  stop(): Promise<void>;
}

export async function startRelay(target: string): Promise<Relay> {
  let next: { method: string; path: RegExp; status: number; body: unknown } | null = null;
  const rewrites: Array<{ method: string; path: RegExp; body: (json: any) => unknown }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const own = next && req.method === next.method && next.path.test(req.url ?? '') ? next : null;
      if (own) {
        next = null;
        res.writeHead(own.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(own.body));
        return;
      }
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const h of ['x-api-key', 'content-type', 'accept']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
      fetch(target + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body.length ? { body } : {}) })
        .then(async (r) => {
          let text = Buffer.from(await r.arrayBuffer());
          const rw = rewrites.find((w) => w.method === req.method && w.path.test(req.url ?? ''));
          if (rw && r.ok) text = Buffer.from(JSON.stringify(rw.body(JSON.parse(text.toString('utf8')))));
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answerNext(o) {
      next = o;
    },
    rewrite(o) {
      rewrites.push(o);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
