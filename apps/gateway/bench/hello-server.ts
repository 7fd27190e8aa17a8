// The baseline: a bare Fastify hello-world on PORT, in a process of its own like the gateway.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(
  () => process.send?.('listening'),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
