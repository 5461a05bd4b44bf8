import { badRequest } from '../errors.js';

/**
 * The billing annotations of a pool (orders-billing-terraform.md §2): pay per
 * use by default; yearly/monthly (`billing.mode: "1"`) with a period, paid at
 * once with `auto.pay`, otherwise when an administrator pays the order
 * (decision 19).
 */
export const BILLING_MODE_ANNOTATION = 'os.modelarts/billing.mode';
export const PERIOD_TYPE_ANNOTATION = 'os.modelarts/period.type';
export const PERIOD_NUM_ANNOTATION = 'os.modelarts/period.num';
export const AUTO_RENEW_ANNOTATION = 'os.modelarts/auto.renew';
export const AUTO_PAY_ANNOTATION = 'os.modelarts/auto.pay';
export const ORDER_ID_ANNOTATION = 'os.modelarts/order.id';
/** The label naming the pool's latest order (§2): Terraform waits on it. */
export const ORDER_NAME_LABEL = 'os.modelarts/order.name';

/** The annotations that make up a pool's billing terms. */
export const BILLING_ANNOTATIONS: readonly string[] = [
  BILLING_MODE_ANNOTATION,
  PERIOD_TYPE_ANNOTATION,
  PERIOD_NUM_ANNOTATION,
  AUTO_RENEW_ANNOTATION,
  AUTO_PAY_ANNOTATION,
];

export const BILLING_MODES = { postpaid: '0', prepaid: '1' } as const;

/**
 * Period types and how many of each one order may buy: `2`/`month` months,
 * `3`/`year` years (HW pool), `4` hours (HW node pool; §4 discrepancy 7). The
 * bounds are the console's choices (1–9 months, 1–3 years), ours for hours.
 */
const PERIODS: Readonly<Record<string, { unit: 'month' | 'year' | 'hour'; max: number }>> = Object.freeze({
  '2': { unit: 'month', max: 9 },
  month: { unit: 'month', max: 9 },
  '3': { unit: 'year', max: 3 },
  year: { unit: 'year', max: 3 },
  '4': { unit: 'hour', max: 24 },
});

/** The billing terms an order carries. */
export interface Billing {
  mode: 'postpaid' | 'prepaid';
  /** Prepaid only: the period's unit and length. */
  period?: { unit: 'month' | 'year' | 'hour'; count: number };
  autoRenew: boolean;
  autoPay: boolean;
}

export const POSTPAID: Billing = Object.freeze({ mode: 'postpaid', autoRenew: false, autoPay: true });

/** §4 discrepancy 6: the SDK documents true/false, Terraform sends "1". */
function flag(annotations: Readonly<Record<string, string>>, key: string): boolean {
  const value = annotations[key];
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw badRequest(`metadata.annotations.${key}: "${value}" is not one of "0", "1", "false", "true"`);
}

/**
 * The billing terms the annotations ask for; a 400 naming the annotation for
 * an unknown mode, a prepaid pool without its period or with one out of range.
 */
export function billingOf(annotations: Readonly<Record<string, string>>): Billing {
  const mode = annotations[BILLING_MODE_ANNOTATION] ?? BILLING_MODES.postpaid;
  const autoRenew = flag(annotations, AUTO_RENEW_ANNOTATION);
  const autoPay = flag(annotations, AUTO_PAY_ANNOTATION);
  if (mode === BILLING_MODES.postpaid) return POSTPAID;
  if (mode !== BILLING_MODES.prepaid) {
    throw badRequest(
      `metadata.annotations.${BILLING_MODE_ANNOTATION}: "${mode}" is not "0" (pay per use) or "1" (yearly/monthly)`,
    );
  }
  const type = annotations[PERIOD_TYPE_ANNOTATION];
  const num = annotations[PERIOD_NUM_ANNOTATION];
  if (type === undefined || num === undefined) {
    throw badRequest(
      `metadata.annotations: ${BILLING_MODE_ANNOTATION} "1" needs ${PERIOD_TYPE_ANNOTATION} and ${PERIOD_NUM_ANNOTATION}`,
    );
  }
  const period = PERIODS[type];
  if (!period)
    throw badRequest(`metadata.annotations.${PERIOD_TYPE_ANNOTATION}: "${type}" is not one of 2, 3, 4, month, year`);
  const count = /^[0-9]{1,3}$/.test(num) ? Number(num) : NaN;
  if (!(count >= 1 && count <= period.max)) {
    throw badRequest(
      `metadata.annotations.${PERIOD_NUM_ANNOTATION}: "${num}" is not a whole number of ${period.unit}s from 1 to ${period.max}`,
    );
  }
  return { mode: 'prepaid', period: { unit: period.unit, count }, autoRenew, autoPay };
}

/** Whether the annotations make the pool yearly/monthly (already checked by billingOf). */
export const isPrepaid = (annotations: Readonly<Record<string, string>>): boolean =>
  annotations[BILLING_MODE_ANNOTATION] === BILLING_MODES.prepaid;
