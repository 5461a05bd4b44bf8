import { describe, it, expect } from 'vitest';
import { validatePrivateCidr } from '../../src/shared/cidr.js';

describe('validatePrivateCidr', () => {
  it.each([
    '10.0.0.0/8',
    '10.0.0.0/16',
    '10.1.2.0/24',
    '10.255.255.0/24',
    '172.16.0.0/12',
    '172.31.0.0/16',
    '172.31.255.0/24',
    '172.20.0.0/14',
    '192.168.0.0/16',
    '192.168.128.0/17',
    '192.168.1.0/24',
    '192.168.255.0/24',
  ])('accepts %s', (cidr) => {
    expect(validatePrivateCidr(cidr)).toBeNull();
  });

  describe('prefix bounds of each range', () => {
    it.each([
      ['10.0.0.0/7', 'prefix shorter than the range'],
      ['10.1.2.0/25', 'prefix longer than /24'],
      ['172.16.0.0/11', 'prefix shorter than the range'],
      ['172.16.0.0/25', 'prefix longer than /24'],
      ['192.168.0.0/15', 'prefix shorter than the range'],
      ['192.168.1.0/25', 'prefix longer than /24'],
      ['192.168.1.4/30', 'prefix longer than /24'],
      ['0.0.0.0/0', 'everything'],
    ])('rejects %s (%s)', (cidr) => {
      expect(validatePrivateCidr(cidr)).toMatch(/must be inside 10\.0\.0\.0\/8/);
    });
  });

  describe('outside the private ranges', () => {
    it.each(['11.0.0.0/8', '172.15.0.0/16', '172.32.0.0/16', '192.167.0.0/16', '192.169.0.0/16', '8.8.8.0/24'])(
      'rejects %s',
      (cidr) => {
        expect(validatePrivateCidr(cidr)).toMatch(/must be inside/);
      },
    );
  });

  it('reports the range before host bits, so the suggestion is never itself refused', () => {
    expect(validatePrivateCidr('192.168.1.1/25')).toMatch(/must be inside/);
    expect(validatePrivateCidr('8.8.8.8/24')).toMatch(/must be inside/);
  });

  it('rejects host bits and names the network address', () => {
    expect(validatePrivateCidr('192.168.1.1/24')).toMatch(/host bits.*192\.168\.1\.0\/24/);
    expect(validatePrivateCidr('10.0.0.1/8')).toMatch(/host bits.*10\.0\.0\.0\/8/);
    expect(validatePrivateCidr('172.17.0.0/12')).toMatch(/host bits.*172\.16\.0\.0\/12/);
    expect(validatePrivateCidr('172.16.0.1/16')).toMatch(/host bits.*172\.16\.0\.0\/16/);
    expect(validatePrivateCidr('10.1.2.128/24')).toMatch(/host bits.*10\.1\.2\.0\/24/);
  });

  it.each([
    '01.2.3.0/24',
    '10.01.0.0/16',
    '10.0.0.00/24',
    '10.0.0.0/08',
    '10.0.0.0',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '10.0.0.0/',
    '/8',
    '',
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    '10.0.0.0 /8',
    '10.0.0.0/8.5',
    '10.0.0.0/-8',
    '+10.0.0.0/8',
    'a.b.c.d/8',
    '10.0.0.0/8/8',
    '::1/128',
    '１0.0.0.0/8',
  ])('rejects the malformed %j', (cidr) => {
    expect(validatePrivateCidr(cidr)).toMatch(/not an IPv4 CIDR/);
  });

  it('rejects octets above 255 and prefixes above 32', () => {
    expect(validatePrivateCidr('10.256.0.0/16')).toMatch(/octet above 255/);
    expect(validatePrivateCidr('10.0.0.0/33')).toMatch(/prefix length above 32/);
    expect(validatePrivateCidr('10.0.0.0/99999999999999999999')).toMatch(/prefix length above 32/);
  });

  it('names the input in the reason', () => {
    expect(validatePrivateCidr('8.8.8.0/24')).toContain('"8.8.8.0/24"');
  });
});
