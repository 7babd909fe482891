import type { WorkflowHandle } from '@temporalio/client';
import { circuitSignal, endpointStateQuery, setEnabledSignal } from '../../temporal/workflows/messages';
import type { EndpointInput } from '../../temporal/workflows/types';
import { waitFor } from '../../tools/testkit/wait';
import { startEndpoint as startInTenant, useMockWorker, type MockWorker } from './mock-worker';

// The circuit breaker as the endpoint workflow runs it: real Temporal, mocked activities. The mock
// setCircuitState answers a cool-down of 1 s doubling with each opening in a row.
const env = useMockWorker();
const TENANT = 'tenant_circuit';

const startEndpoint = (w: MockWorker, label: string, carried: Partial<EndpointInput> = {}) => startInTenant(w, TENANT, label, carried);

const circuitOf = async (handle: WorkflowHandle) => (await handle.query(endpointStateQuery)).circuit;
const saves = (endpointId: string) => env.inputsOf('setCircuitState', endpointId).map(({ state, opens, notify }) => ({ state, opens, ...(notify ? { notify } : {}) }));

test('a trip opens the circuit once; after the cool-down one probe may go; a failed probe opens it again for twice as long, a good one closes it', async () => {
  const { endpointId, handle } = await startEndpoint(env, 'cycle');
  await handle.signal(circuitSignal, { event: 'trip' });
  await handle.signal(circuitSignal, { event: 'trip' }); // concurrent failures may each report the trip
  await waitFor(async () => (await circuitOf(handle))?.state === 'open', { what: 'the circuit open' });
  // A probe's answer while open (a late one) changes nothing.
  await handle.signal(circuitSignal, { event: 'probe', ok: true });

  await env.waitForCalls('setCircuitState', 2, endpointId);
  expect(saves(endpointId)).toEqual([{ state: 'open', opens: 1, notify: 'opened' }, { state: 'half_open', opens: 1 }]);
  await handle.signal(circuitSignal, { event: 'probe', ok: false });
  await env.waitForCalls('setCircuitState', 4, endpointId);
  expect(saves(endpointId).slice(2)).toEqual([{ state: 'open', opens: 2 }, { state: 'half_open', opens: 2 }]);

  await handle.signal(circuitSignal, { event: 'probe', ok: true });
  await waitFor(async () => (await circuitOf(handle))?.state === 'closed', { what: 'the circuit closed' });
  await env.waitForCalls('setCircuitState', 5, endpointId);
  expect(saves(endpointId).slice(4)).toEqual([{ state: 'closed', opens: 0, notify: 'closed' }]);
  expect(await circuitOf(handle)).toEqual({ state: 'closed', opens: 0, dueAt: null });
});

test('the cool-down is a durable timer: a run handed over open (continue-as-new) goes half-open when it is due', async () => {
  const { endpointId } = await startEndpoint(env, 'carried', {
    state: { consecutiveFailures: 3, enabled: true, disabledReason: null, circuit: { state: 'open', opens: 3, dueAt: Date.now() + 500 } },
  });
  expect((await env.waitForCalls('setCircuitState', 1, endpointId))[0]).toMatchObject({ state: 'half_open', opens: 3 });
});

test('a half-open circuit whose probe never answers lets another probe go after its deadline, and a disabled endpoint does not open', async () => {
  const { endpointId } = await startEndpoint(env, 'stuck-probe', {
    state: { consecutiveFailures: 0, enabled: true, disabledReason: null, circuit: { state: 'half_open', opens: 1, dueAt: Date.now() + 300 } },
  });
  expect((await env.waitForCalls('setCircuitState', 1, endpointId))[0]).toMatchObject({ state: 'half_open', opens: 1 });

  const off = await startEndpoint(env, 'disabled');
  await off.handle.signal(setEnabledSignal, { enabled: false });
  await off.handle.signal(circuitSignal, { event: 'trip' });
  await waitFor(async () => (await off.handle.query(endpointStateQuery)).enabled === false, { what: 'disabled' });
  // The messages are handled in order: a later enable proves the trip was handled (and ignored).
  await off.handle.signal(setEnabledSignal, { enabled: true });
  await waitFor(async () => (await off.handle.query(endpointStateQuery)).enabled, { what: 'enabled again' });
  expect(env.inputsOf('setCircuitState', off.endpointId)).toEqual([]);
});

test('enabling an endpoint by hand closes its circuit', async () => {
  env.behaviour.setCircuitState = async (input) => ({ probeInMs: input.state === 'open' ? 600_000 : null });
  const { endpointId, handle } = await startEndpoint(env, 'manual');
  await handle.signal(circuitSignal, { event: 'trip' });
  await waitFor(async () => (await circuitOf(handle))?.state === 'open', { what: 'the circuit open' });
  await handle.signal(setEnabledSignal, { enabled: false });
  await handle.signal(setEnabledSignal, { enabled: true });
  await waitFor(async () => (await circuitOf(handle))?.state === 'closed', { what: 'the circuit closed' });
  await env.waitForCalls('setCircuitState', 2, endpointId);
  expect(saves(endpointId)).toEqual([{ state: 'open', opens: 1, notify: 'opened' }, { state: 'closed', opens: 0 }]);
});
