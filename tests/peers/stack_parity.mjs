// Runs the Node SDK's own stack parser over the corpus in stacks.json and prints, as JSON, the
// frames it produces for each case. tests/unit/parsers/v8_stack_parity_test.cpp compares
// faultline's parser with the checked-in output (stacks.expected.json) and, when node_modules
// is installed, with a fresh run of this script. Regenerate the expectations with
//   cd tests/peers && npm ci && node stack_parity.mjs > stacks.expected.json
import fs from 'node:fs';
import { createStackParser, SDK_VERSION } from '@sentry/core';
import { nodeStackLineParser } from '@sentry/core/server';
import { createGetModuleFromFilename } from '@sentry/node';

// The SDK decides Windows from its own host (path.sep); faultline from the app root's shape.
const looksWindows = (p) => /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

const corpus = JSON.parse(fs.readFileSync(new URL('./stacks.json', import.meta.url), 'utf8'));
const cases = corpus.map(({ name, app_root, stack }) => {
  const getModule = createGetModuleFromFilename(app_root, looksWindows(app_root));
  const parser = createStackParser(nodeStackLineParser(getModule));
  // What exceptionFromError() does: parseStackFrames() → stackParser(error.stack || '', 1).
  return { name, frames: parser(stack, 1) };
});
process.stdout.write(JSON.stringify({ sdk: `@sentry/core@${SDK_VERSION}`, cases }, null, 1) + '\n');
