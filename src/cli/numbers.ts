import { InvalidArgumentError } from 'commander';

/**
 * A commander parser for a whole number in [min, max]. The bound is checked here, before anything
 * reaches a database: SQLite would store a huge value that PostgreSQL's integer column refuses.
 */
export const boundedInteger =
  (min: number, max: number) =>
  (text: string): number => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return Number(text);
  };
