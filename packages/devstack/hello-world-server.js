// The baseline of the gateway's throughput: a bare Fastify hello-world on 127.0.0.1:PORT, in a
// process of its own like a gateway, on plain node (no tsx) as the built gateway runs. It answers
// the gateway bench (GET /) and the load test's herd (a purchase's path, 202).
const Fastify = require('fastify');

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.post('/api/sales/:saleId/orders', async (_request, reply) => reply.code(202).send({ hello: 'world' }));
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
