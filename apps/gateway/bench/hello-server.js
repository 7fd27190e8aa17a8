// The baseline: a bare Fastify hello-world on PORT, in a process of its own like the gateway,
// on plain node (no tsx) as the built gateway runs.
const Fastify = require('fastify');

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(
  () => process.send?.('listening'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
