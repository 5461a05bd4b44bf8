import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { adminClient, unwrap, type ApiClient, type Paths } from '../api/client';
import { POLL_MS } from '../queries';
import { useSession } from '../session';
import { ConfirmButton, Empty, ErrorBox, Loaded, Time } from '../ui';

const TOKEN_KEY = 'atelier.console.admin-token';
type LifecycleBody = NonNullable<Paths['/_atelier/lifecycle']['put']['requestBody']>['content']['application/json'];
type Step = Exclude<keyof LifecycleBody, 'all'>;
type FaultBody = NonNullable<Paths['/_atelier/faults']['post']['requestBody']>['content']['application/json'];
const STEPS: Step[] = ['networkCreate', 'networkDelete', 'poolCreate', 'poolDelete', 'poolScale'];
const OPERATIONS: FaultBody['operation'][] = ['create', 'scale', 'delete', 'abnormal'];

/** After any control, everything on screen may have moved: read it all again. */
function useRefresh() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries();
}

function Lifecycle({ admin }: { admin: ApiClient }) {
  const refresh = useRefresh();
  const lifecycle = useQuery({
    queryKey: ['admin', 'lifecycle'],
    queryFn: () => unwrap(admin.GET('/_atelier/lifecycle')),
  });
  const update = useMutation({
    mutationFn: (body: LifecycleBody) => unwrap(admin.PUT('/_atelier/lifecycle', { body })),
    onSuccess: refresh,
  });
  const advance = useMutation({
    mutationFn: () => unwrap(admin.POST('/_atelier/lifecycle/advance', { body: {} })),
    onSuccess: refresh,
  });
  const save = (step: Step, mode: string, seconds: number) =>
    update.mutate({ [step]: mode === 'manual' ? { mode: 'manual' } : { mode: 'auto', seconds } });
  return (
    <section aria-labelledby="lifecycle-h">
      <h2 id="lifecycle-h">Lifecycle timing</h2>
      <Loaded query={lifecycle} what="the timings">
        {({ timings }) => (
          <table data-testid="timings">
            <tbody>
              {STEPS.map((step) => {
                const t = timings[step];
                return (
                  <tr key={step}>
                    <th scope="row">{step}</th>
                    <td>
                      <select
                        aria-label={`${step} mode`}
                        value={t.mode}
                        onChange={(e) => save(step, e.target.value, 'seconds' in t ? t.seconds : 0)}
                      >
                        <option value="auto">auto</option>
                        <option value="manual">manual</option>
                      </select>
                    </td>
                    <td>{'seconds' in t ? `${t.seconds} s` : 'waits for advance'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Loaded>
      <button type="button" onClick={() => advance.mutate()} disabled={advance.isPending}>
        Advance every pending step
      </button>
      {advance.data && <p className="state ok">{advance.data.advanced.length} step(s) advanced.</p>}
      <ErrorBox error={update.error ?? advance.error} />
    </section>
  );
}

function Faults({ admin }: { admin: ApiClient }) {
  const { projectId } = useSession();
  const refresh = useRefresh();
  const faults = useQuery({
    queryKey: ['admin', 'faults'],
    queryFn: () => unwrap(admin.GET('/_atelier/faults', { params: { query: {} } })),
    refetchInterval: POLL_MS,
  });
  const register = useMutation({
    mutationFn: (body: FaultBody) => unwrap(admin.POST('/_atelier/faults', { body })),
    onSuccess: refresh,
  });
  const clear = useMutation({
    mutationFn: (id?: number) =>
      unwrap(
        id === undefined
          ? admin.DELETE('/_atelier/faults')
          : admin.DELETE('/_atelier/faults/{id}', { params: { path: { id } } }),
      ),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const reason = String(form.get('reason') ?? '').trim();
    register.mutate({
      operation: form.get('operation') as FaultBody['operation'],
      project: projectId,
      count: Number(form.get('count')),
      ...(name ? { name } : {}),
      ...(reason ? { reason } : {}),
    });
  };
  return (
    <section aria-labelledby="faults-h">
      <h2 id="faults-h">Faults</h2>
      <form className="filters" aria-label="Register a fault" onSubmit={submit}>
        <label>
          Operation
          <select name="operation">
            {OPERATIONS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Pool name (glob)
          <input name="name" placeholder="any pool of this project" />
        </label>
        <label>
          Times
          <input name="count" type="number" min={1} max={10000} defaultValue={1} />
        </label>
        <label>
          Reason
          <input name="reason" placeholder="default message" />
        </label>
        <button type="submit" disabled={register.isPending}>
          Register fault
        </button>
      </form>
      <ErrorBox error={register.error ?? clear.error} />
      <Loaded query={faults} what="faults">
        {({ faults: list }) =>
          list.length === 0 ? (
            <Empty>No faults registered: every step succeeds.</Empty>
          ) : (
            <>
              <ul className="faults" data-testid="faults">
                {list.map((f) => (
                  <li key={f.id}>
                    <strong>{f.operation}</strong> {f.name ?? 'any pool'} — {f.remaining} left, {f.triggered} triggered
                    <button type="button" onClick={() => clear.mutate(f.id)}>
                      Clear
                    </button>
                  </li>
                ))}
              </ul>
              <button type="button" onClick={() => clear.mutate(undefined)}>
                Clear all faults
              </button>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function Clock({ admin }: { admin: ApiClient }) {
  const refresh = useRefresh();
  const clock = useQuery({
    queryKey: ['admin', 'clock'],
    queryFn: () => unwrap(admin.GET('/_atelier/clock')),
    refetchInterval: 5_000,
  });
  const move = useMutation({
    mutationFn: (seconds: number) => unwrap(admin.POST('/_atelier/clock/advance', { body: { seconds } })),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    move.mutate(Number(new FormData(event.currentTarget).get('seconds')));
  };
  return (
    <section aria-labelledby="clock-h">
      <h2 id="clock-h">Clock</h2>
      <Loaded query={clock} what="the clock">
        {(c) => (
          <p data-testid="clock">
            Service time <Time iso={c.now} />, {c.offsetSeconds} s ahead of the system clock.
          </p>
        )}
      </Loaded>
      <form className="filters" aria-label="Move the clock" onSubmit={submit}>
        <label>
          Seconds forward
          <input name="seconds" type="number" min={1} defaultValue={3600} />
        </label>
        <button type="submit" disabled={move.isPending}>
          Move the clock
        </button>
      </form>
      <ErrorBox error={move.error} />
    </section>
  );
}

function Reset({ admin }: { admin: ApiClient }) {
  const { projectId } = useSession();
  const refresh = useRefresh();
  const reset = useMutation({
    mutationFn: () =>
      unwrap(admin.POST('/_atelier/reset', { body: { project: projectId, keepIdentities: true, reseed: false } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="reset-h">
      <h2 id="reset-h">Reset</h2>
      <p className="muted">Removes this project&apos;s pools, networks, events and faults. Keys and users stay.</p>
      <ConfirmButton label="Reset" confirm="Remove everything in this project?" onConfirm={() => reset.mutate()} />
      {reset.data && (
        <p className="state ok">
          Removed {reset.data.removed.pools} pool(s) and {reset.data.removed.networks} network(s).
        </p>
      )}
      <ErrorBox error={reset.error} />
    </section>
  );
}

/** The emulator controls (docs/emulator.md), with the admin token the server was started with. */
export function Emulator() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const admin = useMemo(() => (token ? adminClient(token) : undefined), [token]);
  const check = useQuery({
    queryKey: ['admin', 'check', token],
    queryFn: () => unwrap(admin!.GET('/_atelier/clock')),
    enabled: admin !== undefined,
    retry: false,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('token') ?? '').trim();
    sessionStorage.setItem(TOKEN_KEY, value);
    setToken(value);
  };
  return (
    <>
      <h1>Emulator</h1>
      <form className="filters" aria-label="Admin token" onSubmit={submit}>
        <label>
          Admin token (ATELIER_ADMIN_TOKEN)
          <input name="token" type="password" defaultValue={token} autoComplete="off" />
        </label>
        <button type="submit">Use token</button>
      </form>
      {!admin ? (
        <Empty>
          The controls need the admin token the server was started with (ATELIER_ADMIN_TOKEN; `atelier serve
          --ephemeral` has one). Without it the server offers no controls.
        </Empty>
      ) : check.error ? (
        <ErrorBox error={check.error} />
      ) : check.data ? (
        <div className="grid">
          <Lifecycle admin={admin} />
          <Faults admin={admin} />
          <Clock admin={admin} />
          <Reset admin={admin} />
        </div>
      ) : null}
    </>
  );
}
