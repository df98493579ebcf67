// The peer for `slotbase bench --backend redis`: real Bull 4.16.5 on the same Redis.
//
// Usage: node benches/bull-peer.js <redis-url> <prefix> <jobs> [concurrency]
// Needs `npm ci --prefix tests/interop` (Bull is resolved from there).
// Prints JSON: addBulk rate (batches of 1000) and worker rate at the given concurrency
// (default 50) with a no-op handler, each on a fresh queue.
'use strict';

const path = require('path');

const Queue = require(require.resolve('bull', { paths: [path.join(__dirname, '..', 'tests', 'interop')] }));

const [url, prefix = 'bull', jobsArg = '50000', concArg = '50'] = process.argv.slice(2);
const jobs = Number(jobsArg);
const concurrency = Number(concArg);
// Give up when the worker completes nothing for this long (jobs lost under it, say).
const STALL_MS = 60000;

function payload(n) {
  return {
    eventType: 'booking.confirmed',
    eventId: `bench-${n}`,
    timestamp: '2026-11-25T10:00:00.000Z',
    data: { bookingId: `bk-${n}` },
  };
}

async function addBulk(queue) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < jobs; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 1000, jobs); j++) batch.push({ name: 'booking-event', data: payload(j) });
    await queue.addBulk(batch);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function consume(queue) {
  let done = 0;
  const start = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    let last = Date.now();
    const watch = setInterval(() => {
      if (Date.now() - last > STALL_MS) {
        clearInterval(watch);
        reject(new Error(`Bull's worker completed ${done} of ${jobs} jobs, then nothing for ${STALL_MS / 1000} s`));
      }
    }, 1000);
    queue.on('completed', () => {
      done += 1;
      last = Date.now();
      if (done >= jobs) {
        clearInterval(watch);
        resolve();
      }
    });
    queue.process('booking-event', concurrency, async () => {});
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

(async () => {
  const name = `bench-bull-${Date.now()}`;
  const queue = new Queue(name, url, { prefix });
  const addSeconds = await addBulk(queue);
  const consumeSeconds = await consume(queue);
  await queue.obliterate({ force: true });
  await queue.close();
  process.stdout.write(
    JSON.stringify({
      jobs,
      concurrency,
      addBulk: { seconds: addSeconds, perSecond: jobs / addSeconds },
      worker: { seconds: consumeSeconds, perSecond: jobs / consumeSeconds },
    }) + '\n',
  );
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`${e && e.stack}\n`);
  process.exit(1);
});
