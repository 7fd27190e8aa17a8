/**
 * The peer of bench/push.ts: one socket.io 4 node scaled out the way socket.io documents it
 * (https://socket.io/docs/v4/redis-adapter/): @socket.io/redis-adapter on the shared Redis, one
 * room per user, events from @socket.io/redis-emitter in another process. Same JWT as ours.
 * Env: AUTH_SECRET, REDIS_URL, PEER_KEY (the run's channel prefix). Prints `listening <port>`.
 */
import { createServer } from 'node:http';
import { createRedis, createUserTokenVerifier } from '@seckill/platform';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { peerRoom } from './emitter-protocol';

const env = process.env;
const verifyToken = createUserTokenVerifier(env.AUTH_SECRET!);
const pubClient = createRedis(env.REDIS_URL!, { name: 'push-bench-peer' });
const subClient = pubClient.duplicate();
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  adapter: createAdapter(pubClient, subClient, { key: env.PEER_KEY! }),
});

io.use((socket, next) => {
  try {
    socket.data.userId = verifyToken(String(socket.handshake.auth.token));
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});
io.on('connection', (socket) => {
  socket.join(peerRoom(socket.data.userId as string));
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : address}\n`);
});
process.once('SIGTERM', () => {
  io.close(() => {
    Promise.allSettled([pubClient.quit(), subClient.quit()]).then(() => process.exit(0));
  });
});
