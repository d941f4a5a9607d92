/**
 * Shows the notices of notification-policy.ts as native notifications; clicking one opens the
 * window. Each kind has a fixed id, so a newer notice of the same kind replaces the older one in
 * Notification Center / Action Center (electron.d.ts `NotificationConstructorOptions.id`).
 */
import type { DesktopElectron, DesktopNotification } from './desktop-electron.js';
import type { AgentNotice } from './notification-policy.js';

/** Notifications kept referenced until clicked or closed; more are never pending (the policy is rate-limited). */
const MAX_LIVE = 16;

export class NativeNotifier {
  readonly #Notification: DesktopElectron['Notification'];
  readonly #onClick: () => void;
  readonly #onFailed: (error: string) => void;
  readonly #live: DesktopNotification[] = [];

  constructor(Notification: DesktopElectron['Notification'], onClick: () => void, onFailed: (error: string) => void) {
    this.#Notification = Notification;
    this.#onClick = onClick;
    this.#onFailed = onFailed;
  }

  /** False where the desktop has no notification service (electron.d.ts `Notification.isSupported`). */
  show(notice: AgentNotice): boolean {
    if (!this.#Notification.isSupported()) return false;
    const notification = new this.#Notification({
      id: `cluvio-agent-${notice.kind}`,
      groupId: 'cluvio-agent',
      title: notice.title,
      body: notice.body,
      silent: notice.kind === 'back-online',
    });
    // A notification object that is garbage collected no longer emits 'click': keep it until it is done.
    this.#live.push(notification);
    if (this.#live.length > MAX_LIVE) this.#live.shift();
    const done = (): void => {
      const at = this.#live.indexOf(notification);
      if (at >= 0) this.#live.splice(at, 1);
    };
    notification.on('click', () => {
      done();
      this.#onClick();
    });
    notification.on('close', done);
    notification.on('failed', (_event, error) => {
      done();
      this.#onFailed(error);
    });
    notification.show();
    return true;
  }
}
