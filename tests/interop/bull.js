// Real Bull 4.16.5 on the other side of slotbase's interop tests.
//
// Usage: node bull.js <command> '<json args>'
// Environment: REDIS_URL, PREFIX (default bull), QUEUE.
// Prints one JSON document on stdout when done (long-running commands print
// progress lines starting with "#" first).
'use strict';

const Queue = require('bull');

const url = process.env.REDIS_URL;
const prefix = process.env.PREFIX || 'bull';
const queueName = process.env.QUEUE || 'notifications';
const [command, rawArgs] = process.argv.slice(2);
const args = rawArgs ? JSON.parse(rawArgs) : {};

// Short timings keep the tests fast; a test can override any of them.
const settings = Object.assign(
  {
    lockDuration: 2000,
    lockRenewTime: 1000,
    stalledInterval: 1000,
    maxStalledCount: 1,
    guardInterval: 200,
    drainDelay: 1,
  },
  args.settings || {},
);

function open() {
  return new Queue(queueName, url, { prefix, settings });
}

function out(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

async function jobView(queue, id) {
  const job = await queue.getJob(id);
  if (!job) return null;
  return {
    id: String(job.id),
    name: job.name,
    data: job.data,
    opts: job.opts,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason,
    stacktrace: job.stacktrace,
    returnvalue: job.returnvalue,
    finishedOn: job.finishedOn,
    processedOn: job.processedOn,
    timestamp: job.timestamp,
    delay: job.delay,
    state: await job.getState(),
  };
}

const commands = {
  // Add jobs one by one, as a Bull producer would: [{name, data, opts}].
  async add(queue) {
    const ids = [];
    for (const j of args.jobs) {
      const job = await queue.add(j.name || '__default__', j.data || {}, j.opts || {});
      ids.push(String(job.id));
    }
    return { ids };
  },

  // Run a Bull worker for `name` until `count` jobs have finished (completed, or failed
  // for good). Jobs whose data has `fail: true` throw `boom <id>`.
  async process(queue) {
    const seen = [];
    let finished = 0;
    const target = args.count;
    const done = new Promise((resolve) => {
      const check = () => {
        if (finished >= target) resolve();
      };
      queue.on('completed', () => {
        finished += 1;
        check();
      });
      queue.on('failed', (job) => {
        if (job.attemptsMade >= job.opts.attempts || job.failedReason.includes('stalled')) {
          finished += 1;
          check();
        }
      });
    });
    queue.process(args.name || '*', args.concurrency || 1, async (job) => {
      seen.push({ id: String(job.id), name: job.name, data: job.data, attemptsMade: job.attemptsMade });
      if (job.data && job.data.fail) throw new Error(`boom ${job.id}`);
      return { ok: String(job.id) };
    });
    await done;
    return { seen };
  },

  // Take jobs and never finish them: the test SIGKILLs this process mid-job.
  async hang(queue) {
    queue.process(args.name || '*', 1, (job) => {
      process.stdout.write(`# active ${job.id}\n`);
      return new Promise(() => {});
    });
    await new Promise(() => {});
  },

  // Listen to the queue's global events, as a dashboard or `job.finished()` does, until
  // `count` jobs have completed. Prints `# ready 1` once Redis counts the subscriptions
  // (Bull makes them lazily), then returns the events in the order they came.
  async listen(queue) {
    const events = [];
    let completed = 0;
    const done = new Promise((resolve) => {
      queue.on('global:waiting', (id) => events.push(['waiting', String(id)]));
      queue.on('global:active', (id) => events.push(['active', String(id)]));
      queue.on('global:completed', (id, val) => {
        events.push(['completed', String(id), val]);
        completed += 1;
        if (completed >= args.count) resolve();
      });
    });
    for (;;) {
      const [, subscribers] = await queue.client.pubsub('NUMSUB', queue.toKey('completed'));
      const patterns = await queue.client.pubsub('NUMPAT');
      if (Number(subscribers) > 0 && Number(patterns) >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    process.stdout.write('# ready 1\n');
    await done;
    return { events };
  },

  // A Bull worker that only runs the stalled sweep and delayed promotion: it processes
  // nothing (its handler name never matches), and reports what it recovered.
  async sweep(queue) {
    const stalled = [];
    queue.on('stalled', (job) => stalled.push(String(job.id)));
    queue.process('__never__', 1, async () => {});
    const deadline = Date.now() + (args.ms || 5000);
    while (Date.now() < deadline && stalled.length < (args.count || 1)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return { stalled };
  },

  async counts(queue) {
    return { counts: await queue.getJobCounts(), isPaused: await queue.isPaused() };
  },

  async jobs(queue) {
    const views = [];
    for (const id of args.ids) views.push(await jobView(queue, id));
    return { jobs: views };
  },

  // Ids per state through Bull's getters (next-to-run first for waiting).
  async lists(queue) {
    const ids = (jobs) => jobs.filter(Boolean).map((j) => String(j.id));
    return {
      waiting: ids(await queue.getWaiting()),
      active: ids(await queue.getActive()),
      delayed: ids(await queue.getDelayed()),
      completed: ids(await queue.getCompleted()),
      failed: ids(await queue.getFailed()),
    };
  },

  async workers(queue) {
    const workers = await queue.getWorkers();
    return { names: workers.map((w) => w.name) };
  },

  async pause(queue) {
    await queue.pause();
    return {};
  },

  async resume(queue) {
    await queue.resume();
    return {};
  },

  async retry(queue) {
    for (const id of args.ids) await (await queue.getJob(id)).retry();
    return {};
  },

  async promote(queue) {
    for (const id of args.ids) await (await queue.getJob(id)).promote();
    return {};
  },

  async remove(queue) {
    for (const id of args.ids) await (await queue.getJob(id)).remove();
    return {};
  },

  // Repeatable definitions (Bull's getRepeatableJobs) and the pending occurrences.
  async repeatables(queue) {
    const defs = await queue.getRepeatableJobs();
    const pending = (await queue.getDelayed())
      .filter(Boolean)
      .map((j) => ({ id: String(j.id), name: j.name, due: j.timestamp + j.delay, opts: j.opts }));
    return { defs, pending };
  },

  async clean(queue) {
    const removed = await queue.clean(args.grace || 0, args.state || 'completed', args.limit || 0);
    return { removed: removed.map(String) };
  },
};

(async () => {
  const fn = commands[command];
  if (!fn) throw new Error(`unknown command ${command}`);
  const queue = open();
  queue.on('error', (e) => process.stderr.write(`bull error: ${e && e.stack}\n`));
  const result = await fn(queue);
  out(result);
  await queue.close();
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`${e && e.stack}\n`);
  process.exit(1);
});
