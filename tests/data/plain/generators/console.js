// console.error output of errors with the property values util.inspect prints.
const err = new Error('charge failed', { cause: new TypeError('card.number is undefined') });
err.code = 'E_CHARGE';
err.amount = 12.5;
err.retryable = false;
err.when = new Date(Date.UTC(2025, 6, 1));
err.headers = { 'x-request-id': 'req-7', accept: 'application/json' };
err.items = ['a', "it's", 'c'];
err.raw = Buffer.from('hi');
err.seen = new Map([['a', 1]]);
err.missing = undefined;
err.fn = function retry() {};
err.long = 'line one\nline two\n' + 'x'.repeat(100);
err.inner = new RangeError('index out of range');
console.error('Failed to charge:', err);
const agg = new AggregateError([new Error('a failed'), 'not an error', new Error('c failed')], 'all failed');
console.error(agg);
