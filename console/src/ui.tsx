import { useEffect, useState, type ReactNode } from 'react';

/** Phases that are settled and fine, on their way, or failed: the badge's colour. */
const GOOD = new Set(['Running', 'Active', 'Available', 'created', 'Normal']);
const BUSY = new Set([
  'Creating',
  'Waiting',
  'Deleting',
  'creating',
  'pending',
  'deleting',
  'Connecting',
  'Pending',
  'Updating',
]);

export function PhaseBadge({ phase }: { phase: string | undefined }) {
  const tone = phase === undefined ? 'unknown' : GOOD.has(phase) ? 'good' : BUSY.has(phase) ? 'busy' : 'bad';
  return (
    <span className={`badge badge-${tone}`} data-phase={phase}>
      {phase ?? 'unknown'}
    </span>
  );
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relativeTime(date: Date, now: number): string {
  const diff = date.getTime() - now;
  for (const [unit, ms] of UNITS)
    if (Math.abs(diff) >= ms || unit === 'second') return relative.format(Math.round(diff / ms), unit);
  return '';
}

/** Re-renders every few seconds, so relative times move on without a refetch. */
function useNow(ms = 5_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** A time relative to now, with the absolute UTC time beside it (and in the tooltip). */
export function Time({ iso }: { iso: string | undefined }) {
  const now = useNow();
  if (!iso) return <span className="muted">—</span>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  const absolute = date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
  return (
    <time dateTime={date.toISOString()} title={absolute}>
      {relativeTime(date, now)} <span className="muted small">({absolute})</span>
    </time>
  );
}

export function Bar({ label, used, limit }: { label: string; used: number; limit: number }) {
  const finite = Number.isFinite(limit) && limit > 0;
  const share = finite ? Math.min(1, used / limit) : 0;
  return (
    <div className="bar" data-testid={`quota-${label}`}>
      <div className="bar-label">
        <span>{label}</span>
        <span>
          {used} / {finite ? limit : 'unlimited'}
        </span>
      </div>
      <div
        className={`bar-track${share >= 0.9 ? ' bar-full' : ''}`}
        role="progressbar"
        aria-label={`${label} quota`}
        aria-valuemin={0}
        aria-valuemax={finite ? limit : undefined}
        aria-valuenow={used}
      >
        <div className="bar-fill" style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="state error" role="alert">
      {message}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** A query's three states around its content. */
export function Loaded<T>(props: {
  query: { data: T | undefined; error: unknown; isPending: boolean };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (props.query.data !== undefined) return <>{props.children(props.query.data)}</>;
  if (props.query.error) return <ErrorBox error={props.query.error} />;
  return <Loading what={props.what} />;
}

/** A destructive action that asks once more, in place, before it runs. */
export function ConfirmButton(props: { label: string; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="danger" disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label="confirm">
      <span>{props.confirm}</span>
      <button
        type="button"
        className="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        Yes, {props.label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A text filter of a list: an empty field is no filter. */
export function FilterField(props: {
  label: string;
  name: string;
  placeholder: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        placeholder={props.placeholder}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      />
    </label>
  );
}
