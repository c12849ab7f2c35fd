import type { ReactNode } from 'react';

/** A collapsible panel section (open by default), like the docks of a desktop tool. */
export function Section({ title, children, testId, aside }: { readonly title: string; readonly children: ReactNode; readonly testId?: string; readonly aside?: ReactNode }) {
  return (
    <details className="section" open data-testid={testId}>
      <summary>
        <span>{title}</span>
        {aside && <span className="section-aside">{aside}</span>}
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}
