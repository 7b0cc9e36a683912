// Prints, for three error trees, what pino-std-serializers logs for the error and the
// exception.values that @sentry/core's linkedErrors integration builds from the same error:
// the input and expectation of tests/unit/sentry/exception_test.cpp.
// Run: cd tests/peers && npm ci && node linked_errors.mjs
import {
  addExceptionMechanism,
  applyAggregateErrorsToEvent,
  createStackParser,
  exceptionFromError,
} from '@sentry/core';
import { nodeStackLineParser } from '@sentry/core/server';
import { createGetModuleFromFilename } from '@sentry/node';
import { err as defaultSerializer, errWithCause } from 'pino-std-serializers';

const parser = createStackParser(nodeStackLineParser(createGetModuleFromFilename('/srv/app', false)));

function error(Ctor, message, stack, options) {
  const e = new Ctor(message, options);
  e.stack = stack;
  return e;
}

// What captureException() + linkedErrorsIntegration({limit}) do to a captured error.
function sentryValues(err, limit) {
  const event = { exception: { values: [exceptionFromError(parser, err)] } };
  addExceptionMechanism(event, { type: 'faultline', handled: true });
  applyAggregateErrorsToEvent(exceptionFromError, parser, 'cause', limit, event, { originalException: err });
  return JSON.stringify(event.exception.values);
}

function print(name, serializer, err, limit) {
  console.log(`${name} pino:   ${JSON.stringify(serializer(err))}`);
  console.log(`${name} sentry: ${sentryValues(err, limit)}`);
}

// 1. SENTRY-PROTOCOL.md §3: AggregateError('many', [Error('query failed', {cause: Error('db down')}), TypeError('x')]).
{
  const dbDown = error(Error, 'db down', 'Error: db down\n    at connect (/srv/app/db.js:3:9)');
  const query = error(Error, 'query failed', 'Error: query failed\n    at query (/srv/app/db.js:10:5)', { cause: dbDown });
  const many = new AggregateError([query, error(TypeError, 'x', 'TypeError: x')], 'many');
  many.stack = 'AggregateError: many\n    at main (/srv/app/main.js:1:1)';
  print('aggregate', defaultSerializer, many, 5);
}
// 2. An AggregateError with a cause of its own, a child with a two-level chain, and a non-error,
//    logged with errWithCause.
{
  const c1 = error(Error, 'c1', 'Error: c1', { cause: error(Error, 'c2', 'Error: c2') });
  const k0 = error(RangeError, 'k0', 'RangeError: k0', { cause: c1 });
  const group = new AggregateError([k0, 'not an error', error(Error, 'k1', 'Error: k1')], 'group', {
    cause: error(Error, 'own', 'Error: own'),
  });
  group.stack = 'AggregateError: group';
  print('group', errWithCause, group, 5);
}
// 3. A chain of eight under the SDK's default limit of 5.
{
  let e = error(Error, 'e7', 'Error: e7');
  for (let i = 6; i >= 0; --i) e = error(Error, `e${i}`, `Error: e${i}`, { cause: e });
  print('chain', defaultSerializer, e, 5);
}
