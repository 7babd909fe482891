import { enc, type Api } from '../shared/api';
import { h } from '../shared/dom';
import { poll } from '../shared/widgets';
import type { Recovery } from '../../api/types';

/** "Recovery rcv_…: queued 12 of 12, 10 succeeded, 0 failed, 2 being sent." */
export function describeRecovery(r: Recovery): string {
  const counts = `queued ${r.queued} of ${r.matched}, ${r.succeeded} succeeded, ${r.failed} failed, ${r.pending} being sent`;
  const state = r.status === 'failed' ? `stopped${r.error ? ` (${r.error})` : ''}`
    : r.status === 'running' ? 'running' : r.pending > 0 ? 'all queued, still sending' : 'completed';
  return `Recovery ${r.id}: ${state}; ${counts}.`;
}

/**
 * A live line with a recovery's progress (GET /v1/recoveries/:id), polled every second until it has
 * ended and nothing it queued is still being sent. Screen readers hear each change (role=status).
 */
export function recoveryProgress(api: Api, recoveryId: string, isCurrent: () => boolean, onDone?: () => void): HTMLElement {
  const line = h('p', { class: 'notice info recovery-progress', role: 'status' }, `Recovery ${recoveryId}: starting…`);
  const tick = async () => {
    if (!line.isConnected) return false;
    const r = await api.request<Recovery>('GET', `/v1/recoveries/${enc(recoveryId)}`);
    line.textContent = describeRecovery(r);
    const done = r.status !== 'running' && r.pending === 0;
    if (done) {
      line.className = `notice ${r.status === 'failed' || r.failed > 0 ? 'error' : 'success'} recovery-progress`;
      onDone?.();
    }
    return !done;
  };
  poll(tick, 700, isCurrent);
  return line;
}
