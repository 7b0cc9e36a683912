// Envelope compatibility between faultline and the Sentry JavaScript SDK (@sentry/core).
//
//   node envelope_parity.mjs DIR
//
// 1. Every DIR/<name>.envelope (or <name>.envelope.gz: a gzip-compressed request body) that
//    faultline wrote is parsed with the SDK's parseEnvelope and checked against
//    DIR/<name>.expect.json = {"event_id", "sdk": {"name", "version"}, "payload": "<event JSON>"}:
//    exactly the headers event_id / sent_at (RFC 3339, ms, UTC) / sdk, one `event` item whose
//    `length` is the payload's byte count, and the payload bytes unchanged.
// 2. It writes DIR/from-js/<name>.envelope with the SDK's serializeEnvelope (with and without
//    item lengths, binary and multi-item), each with <name>.expect.json, for faultline's envelope
//    parser (tests/integration/support/receiver.h) to read back.
// Run by tests/unit/delivery/envelope_parity_test.cpp. Prints one line per case, then
// "N passed, N failed"; exits 1 when anything failed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseEnvelope, serializeEnvelope, SDK_VERSION } from '@sentry/core';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node envelope_parity.mjs DIR');
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

// 1. faultline → parseEnvelope
const names = fs.readdirSync(dir).filter((f) => /\.envelope(\.gz)?$/.test(f)).sort();
for (const file of names) {
  check(`parseEnvelope(${file})`, () => {
    const base = file.replace(/\.envelope(\.gz)?$/, '');
    const expect = JSON.parse(fs.readFileSync(path.join(dir, `${base}.expect.json`), 'utf8'));
    let body = fs.readFileSync(path.join(dir, file));
    if (file.endsWith('.gz')) body = zlib.gunzipSync(body);

    const [headers, items] = parseEnvelope(new Uint8Array(body));
    assert.deepEqual(Object.keys(headers).sort(), ['event_id', 'sdk', 'sent_at']);
    assert.equal(headers.event_id, expect.event_id);
    assert.deepEqual(headers.sdk, expect.sdk);
    assert.match(headers.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(!Number.isNaN(Date.parse(headers.sent_at)));

    assert.equal(items.length, 1);
    const [itemHeader, payload] = items[0];
    assert.deepEqual(itemHeader, { type: 'event', length: Buffer.byteLength(expect.payload) });
    // With a numeric length the SDK hands back the raw bytes.
    assert.ok(payload instanceof Uint8Array, 'payload should be raw bytes');
    const text = new TextDecoder().decode(payload);
    assert.equal(text, expect.payload);
    assert.deepEqual(JSON.parse(text), JSON.parse(expect.payload));
  });
}
check('faultline wrote envelopes to check', () => assert.ok(names.length >= 3, `${names.length}`));

// 2. serializeEnvelope → faultline
const out = path.join(dir, 'from-js');
fs.mkdirSync(out, { recursive: true });
const eventId = 'aa5b1f0a2c3d4e5f60718293a4b5c6d7';
const sdk = { name: 'sentry.javascript.node', version: SDK_VERSION };
const event = { event_id: eventId, level: 'error', message: 'h\u00e9llo\nworld' };
const binary = new Uint8Array([0, 10, 255, 10, 123, 125]);
const cases = {
  // No length: the payload runs to the next newline (serializeEnvelope never writes one).
  'event-no-length': [
    { event_id: eventId, sent_at: '2025-01-01T00:00:00.000Z', sdk },
    [[{ type: 'event' }, event]],
  ],
  // A binary attachment with newlines, given its length, then an event and a client report.
  'multi-item': [
    { event_id: eventId, sdk },
    [
      [{ type: 'attachment', length: binary.length, filename: 'a.bin' }, binary],
      [{ type: 'event' }, event],
      [
        { type: 'client_report' },
        { timestamp: 1735689600, discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 2 }] },
      ],
    ],
  ],
  'empty-headers': [{}, []],
};
for (const [name, envelope] of Object.entries(cases)) {
  check(`serializeEnvelope(${name})`, () => {
    const bytes = serializeEnvelope(envelope);
    fs.writeFileSync(path.join(out, `${name}.envelope`), bytes);
    const expect = {
      header: envelope[0],
      items: envelope[1].map(([header, payload]) =>
        payload instanceof Uint8Array
          ? { header, bytes: Array.from(payload) }
          : { header, payload: JSON.stringify(payload) },
      ),
    };
    fs.writeFileSync(path.join(out, `${name}.expect.json`), JSON.stringify(expect));
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
