const pino = require('pino');
const fs = require('fs');
const assert = require('assert');
const http = require('http');
const mk = (name, opts = {}) => pino(opts, pino.destination({ dest: `${__dirname}/out/edge-${name}.ndjson`, sync: true }));
(async () => {
  // 1. common mistakes and node-native errors, default pino
  let l = mk('native');
  l.error({ error: new Error('logged under error key without errorKey option') }, 'sync failed'); // -> "error":{}
  l.error(new Error(''), 'empty message error');
  l.error('failed to process %s: %o', 'order-7', { reason: 'timeout' });
  try { await fs.promises.readFile('/nonexistent/config.json'); } catch (e) { l.error({ err: e }, 'config load failed'); }
  try { assert.strictEqual(1, 2); } catch (e) { l.error({ err: e }, 'invariant broken'); }
  try { await fetch('http://127.0.0.1:1/api'); } catch (e) { l.error({ err: e }, 'upstream fetch failed'); }
  try { await fetch('http://127.0.0.1:9/', { signal: AbortSignal.timeout(1) }); } catch (e) { l.error({ err: e }, 'fetch timed out'); }
  const prismaLike = new Error('\nInvalid `prisma.user.findUnique()` invocation in\n/app/src/users.ts:12:30\n\n  9 export async function getUser(id) {\n→ 12   return prisma.user.findUnique({\n          where: { id: undefined }\n        })\n\nArgument `where` of type UserWhereUniqueInput needs at least one argument.');
  prismaLike.name = 'PrismaClientValidationError';
  l.error({ err: prismaLike }, 'query failed');
  l.error({ err: new Error('outer', { cause: 'a string cause' }) }, 'string cause');
  const c1 = new Error('loop a'); const c2 = new Error('loop b', { cause: c1 }); c1.cause = c2;
  l.error({ err: c2 }, 'circular cause');
  l.error({ err: new AggregateError([new Error('q failed', { cause: new Error('db down') }), new TypeError('x')], 'many') }, 'aggregate with causes');
  const upstream = Object.assign(new Error('Request failed with status code 404'), { name: 'AxiosError', code: 'ERR_BAD_REQUEST', status: 404 });
  l.error({ err: upstream, job: 'sync-catalog' }, 'partner catalog sync failed');
  const stripe = Object.assign(new Error('Invalid API Key provided: sk_live_****1234'), { type: 'StripeAuthenticationError', statusCode: 401 });
  l.error({ err: stripe }, 'charge failed');
  Error.stackTraceLimit = 80;
  function deep(n) { if (n === 0) return new Error('deep recursion'); return deep(n - 1); }
  l.error({ err: deep(70) }, 'deep stack');
  Error.stackTraceLimit = 10;
  const noStack = new Error('stack stripped'); noStack.stack = undefined;
  l.error({ err: noStack }, 'no stack');
  l.error({ err: null }, 'null err');
  l.error({ msg2: 1, err: 42 }, 'number thrown');
  l.warn({ err: new Error('deprecated call') }, 'warn with err');
  l.info({ err: new Error('info with err, should not be reported') }, 'info with err');
  l.error({ err: { message: 'plain object with message', code: 'E_PLAIN' } }, 'errorlike object');
  l.error({ err: { name: 'GraphQLError', message: 'Cannot query field "x"', locations: [{ line: 1, column: 2 }], path: ['user'] } }, 'graphql');
  // 2. uncaught handler patterns
  l = mk('uncaught');
  const origin = 'uncaughtException';
  l.fatal({ err: new Error('boom in timer'), origin }, 'uncaught exception');
  l.fatal({ err: 'rejected with a string' }, 'unhandledRejection');
  l.error({ err: new Error('promise rejected') }, 'Unhandled Rejection at Promise');
  l.error({ err: new Error('handled fine') }, 'caught error while handling unhandled input');
  l.error({ err: new Error('x') }, 'Unhandled error');
})();
