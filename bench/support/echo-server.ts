// A bare Fastify server with one JSON echo route: the baseline bench/http.ts compares kefu to.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', async (request) => ({ echo: request.body }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`LISTENING ${address}\n`);
