import { describe, it, expect } from 'vitest';
import {
  FORBIDDEN_DESCRIPTION_CHARS,
  NETWORK_DISPLAY_NAME,
  POOL_DISPLAY_NAME,
  generateResourceName,
  isValidNetworkDisplayName,
  isValidPoolDisplayName,
} from '../../src/shared/names.js';

describe('generateResourceName', () => {
  it('appends a dash and 32 lowercase hex digits', () => {
    expect(generateResourceName('net-a1')).toMatch(/^net-a1-[0-9a-f]{32}$/);
  });

  it('differs on every call', () => {
    const names = new Set(Array.from({ length: 100 }, () => generateResourceName('pool')));
    expect(names.size).toBe(100);
  });
});

describe('network display names', () => {
  it.each(['abcd', 'net-1', 'a-b-c', 'a'.repeat(32), 'a1b2', 'n--1'])('accepts %j', (name) => {
    expect(isValidNetworkDisplayName(name)).toBe(true);
  });

  it.each([
    ['abc', 'too short'],
    ['a'.repeat(33), 'too long'],
    ['1abc', 'starts with a digit'],
    ['-abc', 'starts with a dash'],
    ['abc-', 'ends with a dash'],
    ['Abcd', 'uppercase'],
    ['ab_cd', 'underscore'],
    ['ab.cd', 'dot'],
    ['ab cd', 'space'],
    ['', 'empty'],
  ])('rejects %j (%s)', (name) => {
    expect(isValidNetworkDisplayName(name)).toBe(false);
  });

  it('leaves length to the helper: the regex alone accepts short names', () => {
    expect(NETWORK_DISPLAY_NAME.test('ab')).toBe(true);
    expect(isValidNetworkDisplayName('ab')).toBe(false);
  });
});

describe('pool display names', () => {
  it.each(['abcd', 'pool-1', 'a'.repeat(30), 'p--1'])('accepts %j', (name) => {
    expect(POOL_DISPLAY_NAME.test(name)).toBe(true);
    expect(isValidPoolDisplayName(name)).toBe(true);
  });

  it.each(['abc', 'a'.repeat(31), '1abc', 'abc-', 'Pool', 'po_ol', ''])('rejects %j', (name) => {
    expect(POOL_DISPLAY_NAME.test(name)).toBe(false);
    expect(isValidPoolDisplayName(name)).toBe(false);
  });
});

describe('FORBIDDEN_DESCRIPTION_CHARS', () => {
  it.each(['!', '<', '>', '=', '&', '"', "'"])('finds %j', (ch) => {
    expect(FORBIDDEN_DESCRIPTION_CHARS.test(`a ${ch} b`)).toBe(true);
  });

  it('allows ordinary text, including other punctuation and non-ASCII', () => {
    expect(FORBIDDEN_DESCRIPTION_CHARS.test('Training pool #2 (GPU), 50% reserved; ok? 训练')).toBe(false);
  });

  it('gives the same answer on repeated calls', () => {
    expect([1, 2, 3].map(() => FORBIDDEN_DESCRIPTION_CHARS.test('a=b'))).toEqual([true, true, true]);
  });
});
