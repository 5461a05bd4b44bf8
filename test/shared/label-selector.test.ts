import { describe, it, expect } from 'vitest';
import {
  LabelSelectorError,
  equalityTerms,
  matchesLabels,
  parseLabelSelector,
} from '../../src/shared/label-selector.js';

const labels = {
  'os.modelarts/workspace.id': '0',
  'os.modelarts.pool/biz': 'private',
  tier: 'gold',
  empty: '',
};

const select = (text: string, l: Record<string, string> = labels): boolean =>
  matchesLabels(parseLabelSelector(text), l);

describe('parseLabelSelector', () => {
  it('parses every operator', () => {
    const { terms } = parseLabelSelector('a=1,b==2,c!=3,d in (x,y),e notin (z),f,!g');
    expect(terms).toEqual([
      { op: 'equals', key: 'a', value: '1' },
      { op: 'equals', key: 'b', value: '2' },
      { op: 'notEquals', key: 'c', value: '3' },
      { op: 'in', key: 'd', values: ['x', 'y'] },
      { op: 'notIn', key: 'e', values: ['z'] },
      { op: 'exists', key: 'f' },
      { op: 'notExists', key: 'g' },
    ]);
  });

  it('allows whitespace around tokens', () => {
    const { terms } = parseLabelSelector('  a = 1 ,  b != 2, c  in  ( x , y ) ,d notin(z) , ! e , f ');
    expect(terms).toEqual([
      { op: 'equals', key: 'a', value: '1' },
      { op: 'notEquals', key: 'b', value: '2' },
      { op: 'in', key: 'c', values: ['x', 'y'] },
      { op: 'notIn', key: 'd', values: ['z'] },
      { op: 'notExists', key: 'e' },
      { op: 'exists', key: 'f' },
    ]);
  });

  it('accepts keys with prefixes, dots, dashes and underscores', () => {
    const { terms } = parseLabelSelector('os.modelarts.pool/biz=private,my_key-2.x=v_1-2.3');
    expect(terms).toEqual([
      { op: 'equals', key: 'os.modelarts.pool/biz', value: 'private' },
      { op: 'equals', key: 'my_key-2.x', value: 'v_1-2.3' },
    ]);
  });

  it('accepts an empty value for equality', () => {
    expect(parseLabelSelector('a=').terms).toEqual([{ op: 'equals', key: 'a', value: '' }]);
    expect(parseLabelSelector('a!=').terms).toEqual([{ op: 'notEquals', key: 'a', value: '' }]);
  });

  it('treats the empty or blank string as selecting everything', () => {
    expect(parseLabelSelector('').terms).toEqual([]);
    expect(parseLabelSelector('   ').terms).toEqual([]);
  });

  it('allows "in" and "notin" as keys', () => {
    expect(parseLabelSelector('in in (a)').terms).toEqual([{ op: 'in', key: 'in', values: ['a'] }]);
    expect(parseLabelSelector('notin').terms).toEqual([{ op: 'exists', key: 'notin' }]);
  });

  it.each([
    ['a=1,', ''],
    [',a=1', ''],
    ['a=1,,b=2', ''],
    ['=1', '=1'],
    ['a=b=c', 'a=b=c'],
    ['a=b c', 'a=b c'],
    ['a=x/y', 'a=x/y'],
    ['a in (x,y', 'a in (x,y'],
    ['a in x,y)', 'a in x'],
    ['a=1,y)', 'y)'],
    ['a)=1', 'a)=1'],
    ['a in ()', 'a in ()'],
    ['a in (x,,y)', 'a in (x,,y)'],
    ['a in (x) y', 'a in (x) y'],
    ['a within (x)', 'a within (x)'],
    ['a IN (x)', 'a IN (x)'],
    ['a b', 'a b'],
    ['!a=1', '!a=1'],
    ['!', '!'],
    ['a>1', 'a>1'],
    ['ké=v', 'ké=v'],
  ])('rejects %j naming the term', (text, term) => {
    let caught: unknown;
    try {
      parseLabelSelector(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LabelSelectorError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as LabelSelectorError;
    expect(error.term).toBe(term);
    expect(error.message).toContain(`"${term}"`);
  });

  it('names the bad term, not the whole selector', () => {
    expect(() => parseLabelSelector('a=1, b in (x, c=3')).toThrow(/"b in \(x, c=3"/);
    expect(() => parseLabelSelector('a=1, b>2, c=3')).toThrow(/"b>2"/);
  });
});

describe('matchesLabels', () => {
  it('matches everything with the empty selector', () => {
    expect(select('')).toBe(true);
    expect(select('', {})).toBe(true);
  });

  it('= and ==', () => {
    expect(select('tier=gold')).toBe(true);
    expect(select('tier==gold')).toBe(true);
    expect(select('tier=silver')).toBe(false);
    expect(select('missing=x')).toBe(false);
    expect(select('empty=')).toBe(true);
    expect(select('missing=')).toBe(false);
    expect(select('os.modelarts.pool/biz=private')).toBe(true);
  });

  it('!= also selects objects without the label', () => {
    expect(select('tier!=gold')).toBe(false);
    expect(select('tier!=silver')).toBe(true);
    expect(select('missing!=x')).toBe(true);
  });

  it('in and notin', () => {
    expect(select('tier in (silver,gold)')).toBe(true);
    expect(select('tier in (silver)')).toBe(false);
    expect(select('missing in (x)')).toBe(false);
    expect(select('tier notin (silver,gold)')).toBe(false);
    expect(select('tier notin (silver)')).toBe(true);
    expect(select('missing notin (x)')).toBe(true);
  });

  it('exists and not exists', () => {
    expect(select('tier')).toBe(true);
    expect(select('empty')).toBe(true);
    expect(select('missing')).toBe(false);
    expect(select('!missing')).toBe(true);
    expect(select('!tier')).toBe(false);
  });

  it('ANDs terms', () => {
    expect(select('tier=gold,os.modelarts/workspace.id=0')).toBe(true);
    expect(select('tier=gold,os.modelarts/workspace.id=1')).toBe(false);
  });

  it('does not see inherited object properties as labels', () => {
    expect(select('constructor', {})).toBe(false);
    expect(select('!toString', {})).toBe(true);
    expect(select('constructor', { constructor: 'x' })).toBe(true);
  });
});

describe('equalityTerms', () => {
  it('returns only = and == terms, in order', () => {
    const selector = parseLabelSelector('a=1, b!=2, c==3, d in (4), e, !f');
    expect(equalityTerms(selector)).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
  });

  it('is empty for the empty selector', () => {
    expect(equalityTerms(parseLabelSelector(''))).toEqual([]);
  });
});
