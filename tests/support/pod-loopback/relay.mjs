// Runs inside a pod's network namespace (started with `nsenter -t <sandbox pid> -n node relay.mjs …`):
// listens on 127.0.0.1:PORT there and pipes each connection to a Unix socket, which is a file, not
// a network address, so the other end lives in the host's network namespace.
//   node relay.mjs PORT=SOCKET_PATH [PORT=SOCKET_PATH…]
// Prints "ready" once every port listens; exits on SIGTERM.
import { connect, createServer } from 'node:net';

const pairs = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  const port = Number(arg.slice(0, eq));
  if (eq < 1 || !Number.isInteger(port)) throw new Error(`usage: relay.mjs PORT=SOCKET_PATH… (got "${arg}")`);
  return { port, socket: arg.slice(eq + 1) };
});
let listening = 0;
for (const { port, socket } of pairs) {
  const server = createServer((inside) => {
    const outside = connect(socket);
    inside.pipe(outside).pipe(inside);
    inside.on('error', () => outside.destroy());
    outside.on('error', () => inside.destroy());
  });
  server.listen(port, '127.0.0.1', () => {
    listening += 1;
    if (listening === pairs.length) process.stdout.write('ready\n');
  });
}
process.on('SIGTERM', () => process.exit(0));
