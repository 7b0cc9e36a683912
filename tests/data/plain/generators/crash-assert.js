// Node's AssertionError: a message over several lines, a code in the header.
const assert = require('assert');
assert.strictEqual(1, 2);
