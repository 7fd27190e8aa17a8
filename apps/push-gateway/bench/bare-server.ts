/**
 * Baseline for bench/push.ts: a plain `ws` server with no auth, no broker, no
 * framework. Clients connect to `/?user=<id>`; the bench connects to `/control`
 * and sends `<userId>\n<payload>`, which is written as-is to that user's sockets.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const sockets = new Map<string, Set<WebSocket>>();
const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, clientTracking: false });

server.on('connection', (socket, request) => {
  const url = new URL(request.url ?? '/', 'http://bare');
  if (url.pathname === '/control') {
    socket.on('message', (data) => {
      const text = data.toString();
      const newline = text.indexOf('\n');
      for (const target of sockets.get(text.slice(0, newline)) ?? []) target.send(text.slice(newline + 1));
    });
    return;
  }
  const userId = url.searchParams.get('user') ?? '';
  const own = sockets.get(userId) ?? new Set();
  own.add(socket);
  sockets.set(userId, own);
  socket.on('close', () => {
    own.delete(socket);
    if (own.size === 0) sockets.delete(userId);
  });
});

server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : address}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
