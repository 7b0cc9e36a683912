// Validates faultline's output with Sentry's own tools: envelopes are parsed with @sentry/core's
// parseEnvelope, events are validated against Sentry's event JSON schema
// (getsentry/sentry-data-schemas relay/event.schema.json, copied to tests/data/schemas/)
// with ajv 8, plus the checks the schema does not make (docs: SENTRY-PROTOCOL.md §2, §3, §7).
// Transactions (`type: "transaction"`, docs/tracing.md) are validated against the same schema
// without the fields Relay leaves out of it (`start_timestamp`, `spans`: its event.rs marks them
// omit_from_schema, "we only document error events for now"), which are checked here instead.
//
//   node validate_events.mjs DIR               every file in DIR is one request body as Sentry
//                                              received it (an envelope, gzip already decoded;
//                                              a body still gzipped is inflated here)
//   node validate_events.mjs --events FILE     FILE holds one event JSON per line
//                                              (`faultline replay --print`)
//   --schema PATH                              another copy of the event schema
//
// Several DIRs and --events FILEs may be given. Prints one line per failure
// ("FAIL <where> event <id>: <what>"), then "N passed, N failed" (N = events); exits 1 when any
// event failed or nothing at all was found to check, 2 on bad usage.
// Run by tests/integration/peers_test.cpp.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parseEnvelope } from '@sentry/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
let schemaPath = path.resolve(repoRoot, 'tests', 'data', 'schemas', 'sentry-event.schema.json');

const dirs = [];
const eventFiles = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 1) {
  if (argv[i] === '--events' && i + 1 < argv.length) {
    eventFiles.push(argv[(i += 1)]);
  } else if (argv[i] === '--schema' && i + 1 < argv.length) {
    schemaPath = argv[(i += 1)];
  } else if (argv[i].startsWith('-')) {
    console.error(`unknown option ${argv[i]}`);
    process.exit(2);
  } else {
    dirs.push(argv[i]);
  }
}
if (dirs.length === 0 && eventFiles.length === 0) {
  console.error('usage: node validate_events.mjs [DIR...] [--events FILE...] [--schema PATH]');
  process.exit(2);
}

// The schema as SENTRY-PROTOCOL.md §7 says to load it: non-strict, every error, a `uuid` format
// taking 32 hex digits or the dashed form, and no-op numeric formats.
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i);
for (const name of ['double', 'uint64', 'int64']) ajv.addFormat(name, { type: 'number', validate: () => true });
const validateSchema = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,32}$/;

let passed = 0;
let failed = 0;
let failures = [];

function fail(message) {
  failures.push(message);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isTimestamp(v) {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function checkFrames(frames, where) {
  if (!Array.isArray(frames) || frames.length === 0) {
    fail(`${where}.frames must be a non-empty array`);
    return;
  }
  frames.forEach((frame, i) => {
    const at = `${where}.frames[${i}]`;
    for (const key of ['lineno', 'colno']) {
      if (key in frame && !(Number.isInteger(frame[key]) && frame[key] >= 1)) {
        fail(`${at}.${key} must be an integer >= 1, got ${JSON.stringify(frame[key])}`);
      }
    }
    if (!frame.filename && !frame.function && !frame.instruction_addr) {
      fail(`${at} has none of filename, function, instruction_addr`);
    }
  });
}

// Relay's SpanStatus (the schema's enum, which a trace context in `contexts` is not held to).
const SPAN_STATUSES = ['ok', 'cancelled', 'unknown', 'invalid_argument', 'deadline_exceeded', 'not_found',
  'already_exists', 'permission_denied', 'resource_exhausted', 'failed_precondition', 'aborted',
  'out_of_range', 'unimplemented', 'internal_error', 'unavailable', 'data_loss', 'unauthenticated'];
const SOURCES = ['custom', 'url', 'route', 'view', 'component', 'sanitized', 'task', 'unknown'];

// A transaction's own fields, which the schema leaves out.
function checkTransaction(event) {
  if (typeof event.transaction !== 'string' || event.transaction === '') {
    fail(`transaction must be a non-empty string, got ${JSON.stringify(event.transaction)}`);
  }
  if (!SOURCES.includes(event.transaction_info?.source)) {
    fail(`transaction_info.source must be one of ${SOURCES}, got ${JSON.stringify(event.transaction_info?.source)}`);
  }
  if (!isTimestamp(event.start_timestamp)) {
    fail(`start_timestamp must be epoch seconds (a number), got ${JSON.stringify(event.start_timestamp)}`);
  } else if (isTimestamp(event.timestamp) && event.start_timestamp > event.timestamp) {
    fail(`start_timestamp ${event.start_timestamp} is after timestamp ${event.timestamp}`);
  }
  if (!Array.isArray(event.spans)) fail(`spans must be an array, got ${JSON.stringify(event.spans)}`);
  const trace = event.contexts?.trace;
  if (trace === undefined) fail('a transaction needs contexts.trace');
  if (typeof trace?.op !== 'string' || trace.op === '') {
    fail(`contexts.trace.op must be a non-empty string, got ${JSON.stringify(trace?.op)}`);
  }
}

// The envelope header's trace (Dynamic Sampling Context) of a transaction.
function checkTraceHeader(dsc, event) {
  if (dsc === undefined) return;
  if (!isObject(dsc)) {
    fail(`envelope header trace must be an object, got ${JSON.stringify(dsc)}`);
    return;
  }
  if (dsc.trace_id !== event.contexts?.trace?.trace_id) {
    fail(`envelope header trace.trace_id ${JSON.stringify(dsc.trace_id)} differs from the event's`);
  }
  if (typeof dsc.public_key !== 'string' || dsc.public_key === '') {
    fail(`envelope header trace.public_key must be a non-empty string, got ${JSON.stringify(dsc.public_key)}`);
  }
  for (const key of ['sample_rate', 'sampled', 'release', 'environment', 'transaction']) {
    if (key in dsc && typeof dsc[key] !== 'string') {
      fail(`envelope header trace.${key} must be a string, got ${JSON.stringify(dsc[key])}`);
    }
  }
}

// Our checks, beyond the schema's.
function checkEvent(event, envelopeEventId) {
  if (!HEX32.test(event.event_id ?? '')) {
    fail(`event_id must be 32 lowercase hex digits, got ${JSON.stringify(event.event_id)}`);
  }
  if (envelopeEventId !== undefined && event.event_id !== envelopeEventId) {
    fail(`event_id ${JSON.stringify(event.event_id)} differs from the envelope's ${envelopeEventId}`);
  }
  if (!isTimestamp(event.timestamp)) {
    fail(`timestamp must be epoch seconds (a number), got ${JSON.stringify(event.timestamp)}`);
  }

  const trace = event.contexts?.trace;
  if (trace !== undefined) {
    if (!HEX32.test(trace.trace_id ?? '')) {
      fail(`contexts.trace.trace_id must be 32 lowercase hex, got ${JSON.stringify(trace.trace_id)}`);
    }
    if (!HEX16.test(trace.span_id ?? '')) {
      fail(`contexts.trace.span_id must be 16 lowercase hex, got ${JSON.stringify(trace.span_id)}`);
    }
    if ('status' in trace && !SPAN_STATUSES.includes(trace.status)) {
      fail(`contexts.trace.status must be one of Relay's span statuses, got ${JSON.stringify(trace.status)}`);
    }
    if ('parent_span_id' in trace && !HEX16.test(trace.parent_span_id ?? '')) {
      fail(`contexts.trace.parent_span_id must be 16 lowercase hex, got ${JSON.stringify(trace.parent_span_id)}`);
    }
  }

  if (event.type === 'transaction') {
    checkTransaction(event);
  } else if (event.exception === undefined && event.logentry === undefined && event.message === undefined) {
    fail('the event has neither exception nor logentry/message: nothing to show');
  }
  if (event.exception !== undefined) {
    const values = event.exception?.values;
    if (!Array.isArray(values) || values.length === 0) {
      fail('exception.values must be a non-empty array');
    } else {
      // The error that was logged is the root of the tree and comes last (SENTRY-PROTOCOL.md §3):
      // exception_id 0 and no parent; every other value hangs off an id that exists.
      const ids = new Set();
      values.forEach((v) => {
        if (v?.mechanism?.exception_id !== undefined) ids.add(v.mechanism.exception_id);
      });
      values.forEach((v, i) => {
        const at = `exception.values[${i}]`;
        if (!isObject(v)) {
          fail(`${at} must be an object`);
          return;
        }
        if (typeof v.type !== 'string' && typeof v.value !== 'string') {
          fail(`${at} has neither type nor value`);
        }
        const m = v.mechanism;
        const last = i === values.length - 1;
        if (m !== undefined) {
          if (last) {
            if (ids.size > 0 && m.exception_id !== 0) {
              fail(`${at} (the last, the logged error) must have mechanism.exception_id 0, got ${JSON.stringify(m.exception_id)}`);
            }
            if ('parent_id' in m) fail(`${at} (the last, the logged error) must have no parent_id`);
          } else if (ids.size > 0) {
            if (m.exception_id === 0) fail(`${at} has exception_id 0 but is not last: the logged error must be last`);
            if (!ids.has(m.parent_id)) {
              fail(`${at}.mechanism.parent_id ${JSON.stringify(m.parent_id)} names no exception in the event`);
            }
          }
        }
        if (v.stacktrace !== undefined) checkFrames(v.stacktrace.frames, `${at}.stacktrace`);
      });
      if (ids.size > 0 && ids.size !== values.length) {
        fail(`exception ids must be unique and on every value: ${ids.size} ids for ${values.length} values`);
      }
    }
  }

  const crumbs = Array.isArray(event.breadcrumbs) ? event.breadcrumbs : event.breadcrumbs?.values;
  if (crumbs !== undefined) {
    crumbs.forEach((c, i) => {
      if ('timestamp' in c && !isTimestamp(c.timestamp)) {
        fail(`breadcrumbs.values[${i}].timestamp must be epoch seconds (a number), got ${JSON.stringify(c.timestamp)}`);
      }
    });
  }

  // Sentry's tag limits (keys <= 32 chars of [A-Za-z0-9_.:-], values <= 200 chars, no newline).
  if (isObject(event.tags)) {
    for (const [k, v] of Object.entries(event.tags)) {
      if (!TAG_KEY.test(k)) fail(`tag key ${JSON.stringify(k)} is not 1-32 chars of [A-Za-z0-9_.:-]`);
      if (typeof v !== 'string' || v.length > 200 || /[\n\r]/.test(v)) {
        fail(`tag ${k} must be a string of at most 200 chars without newlines, got ${JSON.stringify(v).slice(0, 80)}`);
      }
    }
  }
}

// The value at a JSON pointer, for the report.
function valueAt(event, pointer) {
  let v = event;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

// Schema errors, one line per offending value: ajv reports every branch of every anyOf up the
// tree, so only the deepest paths are kept, with all that each was expected to be.
function schemaErrors(original) {
  let event = original;
  if (original.type === 'transaction') {
    event = { ...original };
    delete event.start_timestamp;
    delete event.spans;
  }
  if (validateSchema(event)) return;
  const byPath = new Map();
  for (const e of validateSchema.errors) {
    const entry = byPath.get(e.instancePath) ?? { all: [], own: [] };
    const params = e.keyword === 'additionalProperties' ? ` (${e.params.additionalProperty})`
      : e.keyword === 'enum' ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
    const text = `${e.message}${params}`;
    // "No branch matched" and "not null either" only echo an error found deeper down.
    const echo = ['anyOf', 'oneOf', 'allOf'].includes(e.keyword) ||
      (e.keyword === 'type' && e.params.type === 'null');
    if (!entry.all.includes(text)) entry.all.push(text);
    if (!echo && !entry.own.includes(text)) entry.own.push(text);
    byPath.set(e.instancePath, entry);
  }
  const paths = [...byPath.keys()];
  for (const [p, { all, own }] of byPath) {
    const parent = paths.some((q) => q !== p && q.startsWith(`${p}/`));
    if (parent && own.length === 0) continue;
    const messages = parent ? own : all;
    const specific = messages.filter((m) => !m.startsWith('must match a schema in anyOf'));
    const value = JSON.stringify(valueAt(event, p)) ?? 'undefined';
    fail(`schema: ${p || '(root)'} = ${value.length > 80 ? `${value.slice(0, 77)}...` : value}: ` +
      `${(specific.length ? specific : messages).join(' | ')}`);
  }
}

// Runs one event's checks; `check` returns the event id it found (for the report), if any.
function report(where, check) {
  failures = [];
  let id;
  try {
    id = check();
  } catch (e) {
    fail(`exception while checking: ${e.stack ?? e}`);
  }
  if (failures.length === 0) {
    passed += 1;
    return;
  }
  failed += 1;
  for (const f of failures) console.log(`FAIL ${where} event ${id ?? '?'}: ${f}`);
}

// Envelopes: the header, one event item, then the event.
for (const dir of dirs) {
  for (const file of fs.readdirSync(dir).sort()) {
    const where = path.join(dir, file);
    if (!fs.statSync(where).isFile()) continue;
    let body = fs.readFileSync(where);
    if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) body = zlib.gunzipSync(body);
    report(where, () => {
      let headers;
      let items;
      try {
        [headers, items] = parseEnvelope(new Uint8Array(body));
      } catch (e) {
        fail(`parseEnvelope threw: ${e.message}`);
        return undefined;
      }
      if (!HEX32.test(headers.event_id ?? '')) {
        fail(`envelope header event_id must be 32 lowercase hex, got ${JSON.stringify(headers.event_id)}`);
      }
      if (typeof headers.sent_at !== 'string' || !RFC3339.test(headers.sent_at) || Number.isNaN(Date.parse(headers.sent_at))) {
        fail(`envelope header sent_at must be RFC 3339, got ${JSON.stringify(headers.sent_at)}`);
      }
      if (!isObject(headers.sdk) || typeof headers.sdk.name !== 'string' || !headers.sdk.name ||
          typeof headers.sdk.version !== 'string' || !headers.sdk.version) {
        fail(`envelope header sdk must be {name, version}, got ${JSON.stringify(headers.sdk)}`);
      }
      const events = items.filter(([h]) => h?.type === 'event' || h?.type === 'transaction');
      if (items.length !== 1 || events.length !== 1) {
        fail(`expected exactly one item, of type event or transaction; got ${JSON.stringify(items.map(([h]) => h))}`);
      }
      if (events.length === 0) return headers.event_id;
      const [itemHeader, payload] = events[0];
      let text;
      if (payload instanceof Uint8Array) {
        // With a numeric length the SDK hands back the raw bytes.
        if (itemHeader.length !== payload.length) {
          fail(`item length ${itemHeader.length} but ${payload.length} payload bytes`);
        }
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
        } catch {
          fail('the event payload is not valid UTF-8');
          return headers.event_id;
        }
      } else {
        text = JSON.stringify(payload);
      }
      let event;
      try {
        event = JSON.parse(text);
      } catch (e) {
        fail(`the event payload is not JSON: ${e.message}`);
        return headers.event_id;
      }
      if (!isObject(event)) {
        fail('the event payload is not a JSON object');
        return headers.event_id;
      }
      if ((event.type === 'transaction') !== (itemHeader.type === 'transaction')) {
        fail(`a ${itemHeader.type} item holds an event of type ${JSON.stringify(event.type)}`);
      }
      if (itemHeader.type === 'transaction') {
        if (headers.trace === undefined) fail('a transaction envelope needs a trace header');
        checkTraceHeader(headers.trace, event);
      } else if (headers.trace !== undefined) {
        fail('an event envelope has a trace header');
      }
      schemaErrors(event);
      checkEvent(event, headers.event_id);
      return headers.event_id;
    });
  }
}

// Bare events, one per line.
for (const file of eventFiles) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    report(where, () => {
      let event;
      try {
        event = JSON.parse(line);
      } catch (e) {
        fail(`not JSON: ${e.message}`);
        return undefined;
      }
      if (!isObject(event)) {
        fail('not a JSON object');
        return undefined;
      }
      schemaErrors(event);
      checkEvent(event, undefined);
      return event.event_id;
    });
  });
}

if (passed + failed === 0) {
  console.log('FAIL nothing to validate: no request bodies and no events were found');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
