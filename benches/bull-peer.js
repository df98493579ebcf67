// The peer for `slotbase bench --backend redis`: real Bull 4.16.5 on the same Redis.
//
// Usage: node benches/bull-peer.js <redis-url> <prefix> <jobs> [concurrency]
// Needs `npm ci --prefix tests/interop` (Bull is resolved from there).
// Prints JSON: addBulk rate (batches of 1000) and worker rate at the given concurrency
// (default 50) with a no-op handler, each on a fresh queue, with the CPU time per job of
// this process and of the Redis server (INFO cpu) over each phase.
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

// CPU seconds used so far by this process and by the Redis server.
async function cpuMark(queue) {
  const info = await queue.client.info('cpu');
  let server = 0;
  for (const line of info.split('\n')) {
    const [key, value] = line.trim().split(':');
    if (key === 'used_cpu_sys' || key === 'used_cpu_user') server += Number(value);
  }
  const own = process.cpuUsage();
  return { bull: (own.user + own.system) / 1e6, server };
}

async function measured(queue, phase) {
  const before = await cpuMark(queue);
  const seconds = await phase(queue);
  const after = await cpuMark(queue);
  const perJob = (key) => ((after[key] - before[key]) * 1e6) / jobs;
  return { seconds, perSecond: jobs / seconds, cpuUsPerJob: { bull: perJob('bull'), server: perJob('server') } };
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
  const add = await measured(queue, addBulk);
  const worker = await measured(queue, consume);
  await queue.obliterate({ force: true });
  await queue.close();
  process.stdout.write(
    JSON.stringify({
      jobs,
      concurrency,
      addBulk: add,
      worker,
    }) + '\n',
  );
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`${e && e.stack}\n`);
  process.exit(1);
});
