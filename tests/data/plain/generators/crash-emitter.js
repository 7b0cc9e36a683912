// An 'error' event nobody listens to (EADDRINUSE).
const net = require('net');
const a = net.createServer().listen(0, '127.0.0.1', () => {
  net.createServer().listen(a.address().port, '127.0.0.1');
  setTimeout(() => a.close(), 500);
});
