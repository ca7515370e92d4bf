// The slice of Sugar's Sidecar app the LeadFWD components use (sugar-platform.md §10). Typed here so the
// bundle never depends on Sugar's own (proprietary) sources.

export interface SidecarEvents {
  on(event: string, handler: (...args: any[]) => void, context?: unknown): unknown;
  off(event?: string, handler?: (...args: any[]) => void, context?: unknown): unknown;
  trigger(event: string, ...args: unknown[]): unknown;
}

export interface SidecarModel extends SidecarEvents {
  id?: string;
  get(key: string): any;
  set(key: string | Record<string, unknown>, value?: unknown): unknown;
}

export interface SidecarContext extends SidecarModel {
  parent?: SidecarContext;
}

export interface ApiError {
  status?: number;
  code?: string;
  message?: string;
  textStatus?: string;
}

export interface ApiCallbacks<T> {
  success?: (data: T) => void;
  error?: (err: ApiError) => void;
  complete?: () => void;
}

export interface SidecarApi {
  call<T = unknown>(
    method: 'read' | 'create' | 'update' | 'delete',
    url: string,
    data?: unknown,
    callbacks?: ApiCallbacks<T>,
    options?: Record<string, unknown>,
  ): unknown;
  buildURL(module: string, action?: string | null, attributes?: Record<string, unknown> | null, params?: Record<string, unknown>): string;
  getOAuthToken(): string | undefined;
}

export interface AlertOptions {
  level: 'info' | 'success' | 'warning' | 'error' | 'confirmation' | 'process';
  messages?: string | string[];
  title?: string;
  autoClose?: boolean;
  onConfirm?: () => void;
  onCancel?: () => void;
}

export interface SidecarApp {
  api: SidecarApi;
  lang: { get(key: string, module?: string, context?: unknown): string };
  alert: { show(key: string, options: AlertOptions): unknown; dismiss(key: string): void };
  events: SidecarEvents;
  drawer?: { open(def: { layout: string; context?: Record<string, unknown> }, onClose?: (...args: unknown[]) => void): void; close(...args: unknown[]): void };
  controller?: { context?: SidecarContext };
  router?: SidecarEvents & { navigate(fragment: string, options?: { trigger?: boolean }): void };
  user?: { get(key: string): any };
}

/** A Sidecar view instance as our controllers see it; `_lfState` is where LeadFWD keeps per-view state. */
export interface SidecarView {
  cid: string;
  el: HTMLElement;
  name?: string;
  module?: string;
  meta?: Record<string, any>;
  context: SidecarContext;
  layout?: unknown;
  settings?: SidecarModel;
  disposed?: boolean;
  render(): unknown;
  _lfState?: unknown;
}
