import type { ComponentChildren } from 'preact';

interface Props {
  readonly tone: 'error' | 'warning' | 'info' | 'success';
  readonly title?: string;
  readonly id?: string;
  readonly children?: ComponentChildren;
}

/** A message box; errors are alerts, so a screen reader says them at once. */
export function Notice({ tone, title, id, children }: Props) {
  return (
    <div class={`notice notice-${tone}`} id={id} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <strong class="notice-title">{title}</strong>}
      {children}
    </div>
  );
}
