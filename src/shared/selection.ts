import { badRequest } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { LabelSelectorError, matchesLabels, parseLabelSelector, type LabelSelector } from './label-selector.js';

/** Parses a `labelSelector` query value, turning grammar errors into our 400. */
export function labelSelectorFrom(text: string | undefined): LabelSelector | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseLabelSelector(text);
  } catch (error) {
    if (error instanceof LabelSelectorError) throw badRequest(`labelSelector: ${error.message}`);
    throw error;
  }
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return selector === undefined || matchesLabels(selector, labels);
}

/** The row id a `continue` token resumes after; 0 for the first page. */
export function cursorPosition(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const decoded = decodeCursor(token);
  const id = decoded?.id;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
    throw badRequest('continue: not a token this server issued');
  return id;
}

/** The most items one list answer holds: a page's size, and the cap of a list the API does not page. */
export const MAX_LIST_ITEMS = 500;

/**
 * A list the API gives no paging (ListPools, pools.md §6.2) is answered whole or not
 * at all: cutting it short would hide objects from a client that cannot ask for the
 * rest, so more than MAX_LIST_ITEMS matches is a 400 that says how to narrow it.
 */
export function checkUnpagedList(count: number, what: string, narrowBy: string): void {
  if (count > MAX_LIST_ITEMS) {
    throw badRequest(`more than ${MAX_LIST_ITEMS} ${what} match (${count}); narrow the list with ${narrowBy}`);
  }
}

/** Page metadata in the Kubernetes style the list APIs use. */
export function pageOf<T>(
  items: T[],
  limit: number | undefined,
  idOf: (item: T) => number,
): { page: T[]; metadata: { continue?: string; remainingItemCount?: number } } {
  const size = limit === undefined || limit === 0 ? MAX_LIST_ITEMS : limit;
  if (items.length <= size) return { page: items, metadata: {} };
  const page = items.slice(0, size);
  return {
    page,
    metadata: { continue: encodeCursor({ id: idOf(page[page.length - 1]) }), remainingItemCount: items.length - size },
  };
}
