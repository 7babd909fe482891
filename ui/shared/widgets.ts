import { h, field, notice, uid } from './dom';

/** Read-only text with a copy button (the clipboard, or the text selected to copy by hand where the clipboard is refused). */
export function copyField(label: string, value: string, cls = 'secret'): HTMLElement[] {
  const input = h('input', { type: 'text', readonly: true, value, class: `mono ${cls}`, spellcheck: 'false', autocomplete: 'off' });
  const status = h('span', { role: 'status', class: 'copy-status' });
  const copy = h('button', { type: 'button', class: 'primary', 'aria-label': `Copy ${label.toLowerCase()}` }, 'Copy');
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  });
  return [field(label, input), h('div', { class: 'row' }, copy, status)];
}

/** A secret shown once, with a copy button and a warning. */
export function secretPanel(title: string, secret: string, label = 'Signing secret'): HTMLElement {
  const titleId = uid('secret');
  return h(
    'section', { class: 'secret-panel', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, title),
    h('p', { class: 'warning' }, 'Copy this secret now and store it where it is needed. It will not be shown again.'),
    copyField(label, secret),
  );
}

/** A button that asks first, in the page (keyboard and screen-reader friendly), before it acts. */
export function confirmButton(label: string, question: string, confirmLabel: string, act: () => Promise<void>, danger = true, extra?: () => HTMLElement | null): HTMLElement {
  const box = h('div', { class: 'confirm' });
  const start = h('button', { type: 'button', class: danger ? 'danger' : '' }, label);
  const render = () => box.replaceChildren(start);
  start.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, confirmLabel);
    const no = h('button', { type: 'button' }, 'Cancel');
    const qid = uid('q');
    box.replaceChildren(h('div', { role: 'group', 'aria-labelledby': qid, class: 'confirm-box' }, h('p', { id: qid }, question), extra?.() ?? null, h('div', { class: 'row' }, yes, no)));
    no.addEventListener('click', () => (render(), start.focus()));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await act();
        if (box.isConnected) render();
      } catch (err) {
        box.append(notice('error', (err as Error).message));
        yes.disabled = false;
      }
    });
    yes.focus();
  });
  render();
  return box;
}

/** Runs `act` with the button disabled; shows its error beside the button. */
export function actionButton(label: string, act: () => Promise<void>, cls = ''): HTMLElement {
  const btn = h('button', { type: 'button', class: cls }, label);
  const out = h('span', { class: 'inline-error' });
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    out.replaceChildren();
    try {
      await act();
    } catch (err) {
      out.replaceChildren(notice('error', (err as Error).message));
    } finally {
      btn.disabled = false;
    }
  });
  return h('span', { class: 'action' }, btn, out);
}

/** Polls `tick` every `everyMs` until it returns false or the page moves on (route change). */
export function poll(tick: () => Promise<boolean>, everyMs = 1000, isCurrent: () => boolean): void {
  const run = async () => {
    if (!isCurrent()) return;
    let again = false;
    try {
      again = await tick();
    } catch {
      again = true;
    }
    if (again && isCurrent()) setTimeout(run, everyMs);
  };
  setTimeout(run, everyMs);
}
