import type { CircuitSettings, CircuitSignal, CircuitState, CircuitView } from '../../domain/circuit';
import type { Tx } from '../sql';

/*
 * An endpoint's circuit breaker in its row (migrations/016): the run of tripping attempts, counted
 * atomically as attempts are recorded, and the state its workflow decides and mirrors here.
 */

/**
 * Counts one attempt's answer into the endpoint's run, in the transaction that records the attempt.
 * `trip` when the run reached the threshold within the window while closed (the caller tells the
 * endpoint's workflow; it may hear it more than once); `probe` when this delivery held the probe.
 */
export async function noteCircuitAttempt(
  tx: Tx,
  endpointId: string,
  deliveryId: string,
  signal: CircuitSignal,
  s: Pick<CircuitSettings, 'failures' | 'windowMs'>,
): Promise<{ trip: boolean; probe: boolean }> {
  if (signal === 'trip') {
    const [row] = await tx<{ trip: boolean; probe: boolean }[]>`
      update endpoints set
        circuit_run = case when circuit_run_started_at is null or circuit_run_started_at < now() - ${s.windowMs} * interval '1 millisecond' then 1 else circuit_run + 1 end,
        circuit_run_started_at = case when circuit_run_started_at is null or circuit_run_started_at < now() - ${s.windowMs} * interval '1 millisecond' then now() else circuit_run_started_at end
      where id = ${endpointId}
      returning circuit_state = 'closed' and circuit_run >= ${s.failures} as trip, circuit_probe is not distinct from ${deliveryId} as probe`;
    return row ?? { trip: false, probe: false };
  }
  const [row] = await tx<{ probe: boolean }[]>`
    update endpoints set circuit_run = case when ${signal === 'ok'} then 0 else circuit_run end,
      circuit_run_started_at = case when ${signal === 'ok'} then null else circuit_run_started_at end
    where id = ${endpointId} and (circuit_run > 0 or circuit_probe is not distinct from ${deliveryId})
    returning circuit_probe is not distinct from ${deliveryId} as probe`;
  return { trip: false, probe: row?.probe ?? false };
}

/**
 * May this delivery send now? Closed: yes. Open: no, until the next probe is due. Half-open: only
 * the delivery that takes (or holds) the probe. Null when the endpoint is gone.
 */
export async function passCircuit(tx: Tx, endpointId: string, deliveryId: string): Promise<{ go: boolean; waitMs: number; state: CircuitState } | null> {
  const [row] = await tx<{ state: CircuitState; waitMs: number; mine: boolean }[]>`
    with claim as (
      update endpoints set circuit_probe = ${deliveryId}
      where id = ${endpointId} and circuit_state = 'half_open' and circuit_probe is null
      returning id
    )
    select e.circuit_state as state,
      greatest(0, coalesce(extract(epoch from e.circuit_next_probe_at - now()) * 1000, 0))::float8 as wait_ms,
      (exists (select 1 from claim) or e.circuit_probe is not distinct from ${deliveryId}) as mine
    from endpoints e where e.id = ${endpointId}`;
  if (!row) return null;
  if (row.state === 'closed') return { go: true, waitMs: 0, state: row.state };
  if (row.state === 'half_open') return { go: row.mine, waitMs: row.mine ? 0 : 1_000, state: row.state };
  return { go: false, waitMs: row.waitMs, state: row.state };
}

/**
 * The workflow's decision, mirrored for the API and for deliveries; any change frees the probe. An
 * opening is timed here: `openedAt` stays from the first opening of a run of them, the next probe is
 * `coolDownMs` from now. Null when the endpoint is gone.
 */
export async function setCircuit(tx: Tx, endpointId: string, c: { state: CircuitState; opens: number; coolDownMs: number }): Promise<({ url: string } & CircuitView) | null> {
  const [row] = await tx<{ url: string; state: CircuitState; openedAt: Date | null; nextProbeAt: Date | null }[]>`
    update endpoints set circuit_state = ${c.state},
      circuit_opened_at = case when ${c.state} = 'closed' then null when circuit_state = 'closed' then now() else coalesce(circuit_opened_at, now()) end,
      circuit_next_probe_at = case when ${c.state} = 'open' then now() + ${c.coolDownMs} * interval '1 millisecond' else null end,
      circuit_opens = ${c.opens}, circuit_probe = null,
      circuit_run = case when ${c.state} = 'closed' then 0 else circuit_run end,
      circuit_run_started_at = case when ${c.state} = 'closed' then null else circuit_run_started_at end
    where id = ${endpointId}
    returning url, circuit_state as state, circuit_opened_at as opened_at, circuit_next_probe_at as next_probe_at`;
  return row ? { url: row.url, state: row.state, openedAt: row.openedAt?.toISOString() ?? null, nextProbeAt: row.nextProbeAt?.toISOString() ?? null } : null;
}
