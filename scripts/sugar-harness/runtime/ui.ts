// app.alert and app.drawer for the harness page: visible, keyboard-usable, and recorded for tests.
// Like Sugar's alert view, the title and messages are rendered as HTML (Handlebars.SafeString): whatever the caller
// did not escape is markup, so a test with a campaign named <img src=x onerror=…> fails if the UI forgot to escape.
/** `messages` is the text a person sees; `html` what the caller passed. */
export interface AlertRecord {
  key: string;
  level: string;
  messages: string;
  html: string;
}

export function createAlert(root: HTMLElement) {
  const log: AlertRecord[] = [];
  (window as any).__leadfwdAlerts = log;
  const open = new Map<string, HTMLElement>();
  const alert = {
    show(key: string, o: { level: string; messages?: string | string[]; title?: string; autoClose?: boolean; onConfirm?: () => void; onCancel?: () => void }) {
      alert.dismiss(key);
      const messages = Array.isArray(o.messages) ? o.messages.join(' ') : (o.messages ?? '');
      const el = document.createElement('div');
      el.className = `harness-alert harness-alert-${o.level}`;
      el.setAttribute('role', o.level === 'error' || o.level === 'confirmation' ? 'alert' : 'status');
      el.dataset.key = key;
      const body = document.createElement('span');
      body.className = 'harness-alert-text';
      body.innerHTML = `${o.title ? `<strong>${o.title}</strong> ` : ''}${messages}`;
      el.appendChild(body);
      log.push({ key, level: o.level, messages: body.textContent ?? '', html: messages });
      const button = (label: string, fn?: () => void) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.addEventListener('click', () => {
          alert.dismiss(key);
          fn?.();
        });
        el.appendChild(b);
        return b;
      };
      if (o.level === 'confirmation') {
        const ok = button('Confirm', o.onConfirm);
        ok.className = 'harness-confirm';
        button('Cancel', o.onCancel);
        setTimeout(() => ok.focus(), 0);
      } else {
        button('Dismiss');
      }
      root.appendChild(el);
      open.set(key, el);
      if (o.autoClose)
        setTimeout(() => {
          if (open.get(key) === el) alert.dismiss(key);
        }, 4000);
      return el;
    },
    dismiss(key: string) {
      open.get(key)?.remove();
      open.delete(key);
    },
  };
  return alert;
}

export function createDrawer(
  root: HTMLElement,
  build: (def: { layout: string; context?: Record<string, unknown> }) => { el: HTMLElement; render(): void; dispose(): void },
) {
  const stack: Array<{ layout: { el: HTMLElement; dispose(): void }; shell: HTMLElement; onClose?: (...a: unknown[]) => void; opener: Element | null }> = [];
  return {
    open(def: { layout: string; context?: Record<string, unknown> }, onClose?: (...a: unknown[]) => void) {
      const opener = document.activeElement;
      const shell = document.createElement('div');
      shell.className = 'harness-drawer';
      shell.setAttribute('role', 'dialog');
      shell.setAttribute('aria-modal', 'true');
      shell.setAttribute('aria-label', def.layout);
      const layout = build(def);
      shell.appendChild(layout.el);
      root.appendChild(shell);
      layout.render();
      stack.push({ layout, shell, onClose, opener });
    },
    close(...args: unknown[]) {
      const top = stack.pop();
      if (!top) return;
      top.layout.dispose();
      top.shell.remove();
      if (top.opener instanceof HTMLElement && top.opener.isConnected) top.opener.focus();
      top.onClose?.(...args);
    },
    count: () => stack.length,
  };
}
