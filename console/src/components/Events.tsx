import { networkHref, poolHref } from '../router';
import { useEvents, type Resource } from '../queries';
import { Empty, ErrorBox, Loading, PhaseBadge, Time } from '../ui';

/** The latest events of the objects named, newest first, each linked to its pool or network. */
export function Events({
  objects,
  limit = 20,
}: {
  objects: Array<{ resource: Resource; name: string }>;
  limit?: number;
}) {
  const { events, isPending, error } = useEvents(objects, limit);
  if (error) return <ErrorBox error={error} />;
  if (isPending && events.length === 0) return <Loading what="events" />;
  if (events.length === 0) return <Empty>No events yet.</Empty>;
  return (
    <ol className="events" data-testid="events">
      {events.map((e, i) => (
        <li key={`${e.name}-${e.lastTimestamp}-${e.reason}-${i}`} className={e.type === 'Warning' ? 'warning' : ''}>
          <Time iso={e.lastTimestamp} />
          <PhaseBadge phase={e.type} />
          <a href={e.resource === 'pools' ? poolHref(e.name) : networkHref(e.name)}>{e.name}</a>
          <strong>{e.reason}</strong>
          <span>{e.message}</span>
          {e.count > 1 && <span className="muted small">×{e.count}</span>}
        </li>
      ))}
    </ol>
  );
}
