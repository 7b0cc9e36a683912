// usage: node gen-http.js VARIANT   -> out/http-VARIANT.ndjson (+ .stderr.txt from express default handler)
const pino = require('pino');
const pinoHttp = require('pino-http');
const express = require('express');
const http = require('http');
const { randomUUID } = require('crypto');
const createError = require('http-errors');
const variant = process.argv[2];
const file = `${__dirname}/out/http-${variant}.ndjson`;

class PaymentError extends Error {
  constructor(msg, code) { super(msg); this.name = 'PaymentError'; this.code = code; }
}

let loggerOpts = {};
let httpOpts = {};
let errorMiddleware = null;
switch (variant) {
  case 'default': break;
  case 'attrkeys': httpOpts.customAttributeKeys = { req: 'request', res: 'response', err: 'error', responseTime: 'timeTaken' }; break;
  case 'custom':
    httpOpts.genReqId = (req, res) => { const id = req.headers['x-request-id'] || randomUUID(); res.setHeader('x-request-id', id); return id; };
    httpOpts.customProps = (req, res) => ({ userId: 'u-77', tenant: 'acme' });
    httpOpts.customLogLevel = (req, res, err) => (res.statusCode >= 500 || err) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    httpOpts.customSuccessMessage = (req, res, rt) => `${req.method} ${req.url} ${res.statusCode} in ${rt}ms`;
    httpOpts.customErrorMessage = (req, res, err) => `${req.method} ${req.url} failed: ${res.statusCode} ${err.message}`;
    break;
  case 'quiet': httpOpts.quietReqLogger = true; httpOpts.quietResLogger = true; break;
  case 'nowrap':
    httpOpts.wrapSerializers = false;
    httpOpts.serializers = {
      req: (req) => ({ id: req.id, method: req.method, url: req.originalUrl || req.url }),
      res: (res) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    };
    break;
  case 'resErr': // documented fix: error middleware sets res.err, then lets express answer
    errorMiddleware = (err, req, res, next) => { res.err = err; next(err); };
    break;
  case 'handler': // common pattern: own error handler logs and answers
    errorMiddleware = (err, req, res, next) => {
      const status = err.status || err.statusCode || 500;
      if (status >= 500) req.log.error({ err }, 'unhandled error');
      else req.log.warn({ err }, 'client error');
      res.status(status).json({ error: err.expose ? err.message : 'internal' });
    };
    break;
  case 'labels':
    loggerOpts = { messageKey: 'message', timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: ['req.headers.authorization', 'req.headers.cookie'] };
    break;
  case 'gcp':
    loggerOpts = { messageKey: 'message', formatters: { level: (label) => ({ severity: label.toUpperCase() }) } };
    httpOpts.customLogLevel = (req, res, err) => (res.statusCode >= 500 || err) ? 'error' : 'info';
    break;
  case 'errkey': // app-wide errorKey 'error' + pino-http err key renamed to match
    loggerOpts = { errorKey: 'error' };
    httpOpts.customAttributeKeys = { err: 'error' };
    errorMiddleware = (err, req, res, next) => { req.log.error({ error: err }, 'request failed'); res.status(500).send('x'); };
    break;
  case 'rootlog': // error handler logs with the module-level logger, not req.log
    errorMiddleware = (err, req, res, next) => { rootLogger.error(err); res.status(500).send('internal'); };
    break;
  default: throw new Error('unknown variant ' + variant);
}

let rootLogger; const logger = rootLogger = pino(loggerOpts, pino.destination({ dest: file, sync: true }));
const app = express();
app.use(express.json());
app.use(pinoHttp({ logger, ...httpOpts }));

app.get('/ok', (req, res) => { req.log.info('handling ok'); res.send('ok'); });
app.get('/sync-throw', (req, res) => {
  req.log.info('about to compute total');
  const order = undefined; return res.send(String(order.total));
});
app.get('/async-next/:id', (req, res, next) => {
  req.log.debug('debug line');
  req.log.info({ orderId: req.params.id }, 'fetching from inventory');
  setTimeout(() => {
    const inner = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    next(new Error('inventory lookup failed', { cause: inner }));
  }, 5);
});
app.get('/status500', (req, res) => { res.status(500).send('oops'); });
app.get('/status503', (req, res) => { res.status(503).send('maintenance'); });
app.get('/http-error', (req, res, next) => { next(createError(502, 'upstream answered garbage')); });
app.get('/client-error', (req, res, next) => { next(createError(400, 'bad param')); });
app.post('/api/payments', (req, res) => {
  req.log.info({ amount: req.body.amount }, 'charging card');
  const err = new PaymentError('card processor unavailable', 'PROCESSOR_DOWN');
  req.log.error({ err }, 'payment failed');
  res.status(500).json({ error: 'payment failed' });
});
if (errorMiddleware) app.use(errorMiddleware);

function request(port, method, path, body, headers = {}) {
  return new Promise((resolve) => {
    const data = body ? JSON.stringify(body) : null;
    const r = http.request({ host: '127.0.0.1', port, method, path,
      headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0', authorization: 'Bearer abc.def.ghi', ...headers } }, (res) => {
      res.resume(); res.on('end', () => resolve(res.statusCode));
    });
    r.on('error', (e) => resolve('ERR ' + e.message));
    if (data) r.write(data); r.end();
  });
}

const server = app.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  const seq = [
    ['GET', '/ok'], ['GET', '/sync-throw'], ['GET', '/async-next/42?verbose=1'], ['GET', '/status500'],
    ['GET', '/status503'], ['GET', '/missing'], ['GET', '/http-error'], ['GET', '/client-error'],
    ['POST', '/api/payments?attempt=1', { amount: 1299, cardNumber: '4111111111111111' }],
  ];
  const results = await Promise.all(seq.map(([m, p, b], i) => request(port, m, p, b, variant === 'custom' ? { 'x-request-id': 'req-' + i } : {})));
  console.error(JSON.stringify(results));
  if (variant === 'custom') { // client retries reuse their x-request-id
    console.error(await request(port, 'GET', '/status503', null, { 'x-request-id': 'req-4' }));
  }
  server.close();
});
