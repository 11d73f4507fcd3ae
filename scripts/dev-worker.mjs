// The development Worker as `wrangler dev` runs it (the same engine:
// wrangler's own API, one workerd running the Worker with local D1, KV and
// queues, another serving the port through wrangler's dev proxy), with one
// difference the command line cannot make: no inspector. With one, every
// fetch the Worker makes (each WeCom call) has its DevTools Network events
// relayed by the proxy's workerd to wrangler's Node, which writes each to
// its debug log: 23 CPU ms an event in the change_contact storm, more than
// the Worker's own 11 (docs/benchmarks.md). Production has no inspector.
// `make bench` starts the Worker this way (scripts/common.sh start_worker,
// WORKER_INSPECTOR=off); dev and tests keep the command line.
//   node scripts/dev-worker.mjs <host> <port> <env file> <state dir>
import { unstable_startWorker } from "wrangler";

const [hostname, port, envFile, state] = process.argv.slice(2);
if (!state) {
  console.error("usage: node scripts/dev-worker.mjs <host> <port> <env file> <state dir>");
  process.exit(2);
}
const levels = ["none", "error", "warn", "info", "log", "debug"];
const logLevel = levels.includes(process.env.WRANGLER_LOG) ? process.env.WRANGLER_LOG : "log";
const worker = await unstable_startWorker({
  config: "wrangler.toml",
  // wrangler.toml's `main` is production's build; this is development's.
  entrypoint: "edge/build/index.js",
  envFiles: [envFile],
  dev: {
    inspector: false,
    server: { hostname, port: Number(port) },
    persist: state,
    testScheduled: true,
    watch: false,
    liveReload: false,
    logLevel,
  },
});
await worker.ready;
const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
