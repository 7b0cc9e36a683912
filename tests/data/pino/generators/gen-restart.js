// node gen-restart.js A|B : two runs of the same app appending to one log file (crash + restart by a supervisor)
const pino = require('pino'); const pinoHttp = require('pino-http'); const express = require('express'); const http = require('http');
const run = process.argv[2];
const logger = pino(pino.destination({ dest: __dirname + '/out/restart.ndjson', sync: true, append: true }));
const app = express(); app.use(pinoHttp({ logger }));
app.post('/orders', (req, res) => {
  req.log.info('writing order');
  req.log.error({ err: Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) }, 'db connection lost, exiting');
  process.exit(1); // crash before responding; supervisor restarts us
});
app.get('/ok', (req, res) => res.send('ok'));
const server = app.listen(0, '127.0.0.1', () => {
  logger.info({ run }, 'server started');
  const port = server.address().port;
  const r = http.request({ host: '127.0.0.1', port, method: run === 'A' ? 'POST' : 'GET', path: run === 'A' ? '/orders' : '/ok' }, (res) => { res.resume(); res.on('end', () => server.close()); });
  r.on('error', () => {}); r.end();
});
