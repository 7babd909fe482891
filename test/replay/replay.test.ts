import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { quietSdkLogs } from '../workflows/mock-worker';
import { historyFromJson } from '../../tools/record-histories';
import { sandboxedWorker } from '../../temporal/workflow-sandbox';

// Recorded histories of every workflow type (tools/record-histories.ts) replayed against the
// workflow code as it is now. A change that would make a running workflow take a different path
// (reordered, added or removed activities, timers, signals, children) fails here with a
// DeterminismViolationError: guard it with `patched()` rather than re-recording.
const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, history: historyFromJson(JSON.parse(readFileSync(path.join(DIR, file), 'utf8'))) }));

const workflowType = (h: History) => h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

test('there is a recorded history of every workflow type', () => {
  expect(new Set(fixtures.map((f) => workflowType(f.history)))).toEqual(new Set(['deliveryWorkflow', 'endpointWorkflow', 'fanOutWorkflow', 'purgeWorkflow', 'recoveryWorkflow']));
});

// Workers run the bundle without interceptors unless tracing is on (temporal/workflow-bundles.ts): both must replay.
test.each([
  ['without interceptors', 'HOOKLINE_TEST_WORKFLOW_BUNDLE'],
  ['with the tracing interceptors', 'HOOKLINE_TEST_WORKFLOW_BUNDLE_TRACED'],
])('every recorded history replays on the current workflow code (%s) without a determinism error', async (_, bundle) => {
  quietSdkLogs();
  const failures: string[] = [];
  const replayed: string[] = [];
  // On the sandbox the workers run (no per-call vm timeout, temporal/workflow-sandbox.ts).
  const results = sandboxedWorker().runReplayHistories(
    { workflowBundle: { codePath: process.env[bundle]! } },
    fixtures.map(({ file, history }) => ({ workflowId: file, history })),
  );
  for await (const result of results) {
    replayed.push(result.workflowId);
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toEqual(fixtures.map((f) => f.file));
});
