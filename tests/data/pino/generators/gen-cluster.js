// node cluster with 2 workers logging to the shared stdout (pm2 cluster / docker): pino-http's reqId counter is per worker
const cluster = require('cluster'); const http = require('http');
if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let ready = 0; const workers = [cluster.fork(), cluster.fork()];
  for (const w of workers) w.on('message', (m) => { if (m === 'ready' && ++ready === 2) go(); });
  function req(path) { return new Promise((r) => { http.get({ host: '127.0.0.1', port: 39517, path }, (res) => { res.resume(); res.on('end', () => r(res.statusCode)); }).on('error', (e) => r(e.message)); }); }
  async function go() {
    // round robin: worker A gets /slow-fail (id 1 in A), worker B gets /ok (id 1 in B), and so on
    const res = await Promise.all([req('/slow-fail'), req('/ok'), req('/slow-fail'), req('/ok')]);
    console.error(JSON.stringify(res));
    for (const w of workers) w.kill();
  }
} else {
  const pino = require('pino'); const pinoHttp = require('pino-http'); const express = require('express');
  const logger = pino(); // default: async SonicBoom on fd 1
  const app = express(); app.use(pinoHttp({ logger }));
  app.get('/ok', (req, res) => res.send('ok'));
  app.get('/slow-fail', (req, res) => {
    req.log.error({ err: new Error('ledger write failed') }, 'could not record payment');
    setTimeout(() => res.status(500).send('x'), 50);
  });
  app.listen(39517, '127.0.0.1', () => process.send('ready'));
}
