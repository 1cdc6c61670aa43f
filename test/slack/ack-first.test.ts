/**
 * ack-first.ts: answers wait their turn, one per event-loop turn, so a connection waiting in the
 * kernel's accept queue (libuv accepts one per turn) is taken between two answers instead of after
 * the whole burst.
 */
import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { answerTurn } from '../../src/slack/ack-first';

/** Burns CPU like an answer does (render, mask, serialise): the loop is blocked meanwhile. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('answerTurn', () => {
  it('releases waiters in the order they asked, each in a later loop turn', async () => {
    const order: string[] = [];
    await new Promise<void>((done) => {
      // started from a check-phase callback, as a listener continuing after its ack would be
      setImmediate(() => {
        void answerTurn().then(() => {
          order.push('a');
          setTimeout(() => order.push('timer'), 0);
          busy(3); // the timer is due before the next turn starts
        });
        void answerTurn().then(() => order.push('b'));
        void answerTurn().then(() => {
          order.push('c');
          done();
        });
      });
    });
    // the timer phase of the next turn ran between a and b: they did not share a turn
    expect(order).toEqual(['a', 'timer', 'b', 'c']);
  });

  it('accepts a connection waiting in the accept queue between two answers of a burst', async () => {
    const server = createServer((socket) => {
      acceptedAfter = answered;
      socket.destroy();
    });
    let acceptedAfter = -1;
    let answered = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const burst = 20;
      let peerStatus: number | null = null;
      const finished = new Promise<void>((done) => {
        // from an I/O callback (poll phase), as a listener continuing after its ack: plain
        // setImmediate continuations queued here would all run in this same turn's check phase
        stat(__filename, () => {
          // Another process connects while this loop is blocked: the kernel completes the handshake
          // and the connection waits in the accept queue until the loop polls again.
          peerStatus = spawnSync(process.execPath, ['-e', `require('net').connect(${port}, '127.0.0.1', () => process.exit(0))`], { timeout: 15_000 }).status;
          for (let i = 0; i < burst; i++) {
            void answerTurn().then(() => {
              busy(2);
              if (++answered === burst) done();
            });
          }
        });
      });
      await finished;
      await new Promise((r) => setTimeout(r, 50));
      expect(peerStatus).toBe(0);
      // all answers in one turn (plain setImmediate) would accept it only after the 20th
      expect(acceptedAfter).toBeGreaterThanOrEqual(0);
      expect(acceptedAfter).toBeLessThan(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
