/**
 * Just enough of a WebSocket server (RFC 6455, text frames) to stand in for Slack's Socket Mode
 * endpoint: the stand-in's apps.connections.open answers with `url`, `push` sends an envelope
 * to the bot, `received` holds what the bot sent back (acks).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export async function startFakeSocketMode() {
  const received: any[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer();
  const frame = (opcode: number, data: Buffer) => {
    const len = data.length;
    let head: Buffer;
    if (len < 126) head = Buffer.from([0x80 | opcode, len]);
    else if (len < 65536) head = Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
    else {
      head = Buffer.alloc(10);
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    return Buffer.concat([head, data]);
  };
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          offset = 4;
        }
        if (buf.length < offset + 4 + len) return;
        const mask = buf.subarray(offset, offset + 4);
        const data = Buffer.from(buf.subarray(offset + 4, offset + 4 + len).map((b, i) => b ^ mask[i % 4]!));
        buf = buf.subarray(offset + 4 + len);
        if (opcode === 1) received.push(JSON.parse(data.toString('utf8')));
        else if (opcode === 9) socket.write(frame(10, data));
        else if (opcode === 8) socket.end(frame(8, Buffer.alloc(0)));
      }
    });
    socket.on('error', () => {});
    socket.write(frame(1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A_STANDIN' } }))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    received,
    push: (msg: unknown) => sockets.forEach((s) => s.write(frame(1, Buffer.from(JSON.stringify(msg))))),
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}
