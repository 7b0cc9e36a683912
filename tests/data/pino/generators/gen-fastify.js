const Fastify = require('fastify'); const http = require('http'); const pino = require('pino');
const variant = process.argv[2] || 'default';
const dest = pino.destination({ dest: `${__dirname}/out/fastify-${variant}.ndjson`, sync: true });
const loggerOpts = variant === 'labels' ? { stream: dest, formatters: { level: (l) => ({ level: l }) }, timestamp: pino.stdTimeFunctions.isoTime } : { stream: dest };
const app = Fastify({ logger: loggerOpts, disableRequestLogging: variant === 'quiet' });
class PaymentError extends Error { constructor(m) { super(m); this.name = 'PaymentError'; this.code = 'PROCESSOR_DOWN'; } }
app.get('/ok', async (req) => { req.log.info('handling ok'); return 'ok'; });
app.get('/sync-throw', (req, reply) => { req.log.info('about to compute total'); const o = undefined; return o.total; });
app.get('/async-reject/:id', async (req) => { req.log.info({ id: req.params.id }, 'fetching'); await new Promise((r) => setTimeout(r, 5)); throw new Error('inventory lookup failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }); });
app.get('/status500', async (req, reply) => { reply.code(500).send('oops'); });
app.get('/status503', async (req, reply) => { reply.code(503).send('maint'); });
app.get('/http-error', async () => { const e = new Error('upstream answered garbage'); e.statusCode = 502; throw e; });
app.get('/client-error', async () => { const e = new Error('bad param'); e.statusCode = 400; throw e; });
app.post('/api/payments', async (req, reply) => { req.log.info('charging card'); req.log.error({ err: new PaymentError('card processor unavailable') }, 'payment failed'); reply.code(500).send({ error: 'x' }); });
function request(port, method, path, body) {
  return new Promise((resolve) => { const r = http.request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }); r.on('error', (e) => resolve(e.message)); if (body) r.write(JSON.stringify(body)); r.end(); });
}
app.listen({ port: 0, host: '127.0.0.1' }).then(async () => {
  const port = app.server.address().port;
  const seq = [['GET', '/ok'], ['GET', '/sync-throw'], ['GET', '/async-reject/42?v=1'], ['GET', '/status500'], ['GET', '/status503'], ['GET', '/missing'], ['GET', '/http-error'], ['GET', '/client-error'], ['POST', '/api/payments?attempt=1', { amount: 5 }]];
  console.error(JSON.stringify(await Promise.all(seq.map(([m, p, b]) => request(port, m, p, b)))));
  await app.close();
});
