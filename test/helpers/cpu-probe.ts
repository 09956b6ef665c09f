// Loaded into a server process (test/helpers/server-process.ts, `cpuProbe: true`) with --import: answers each IPC
// message 'cpu' with the process's own CPU time so far (process.cpuUsage, microseconds), so a test can measure what a
// request costs the server, and only the server, in CPU rather than wall time (which a loaded machine stretches).
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
// The IPC channel must not keep a server that is told to stop alive.
process.channel?.unref();
