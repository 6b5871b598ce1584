import { describe, expect, it } from 'vitest';
import { isNonPublicAddress } from './public-address.js';

describe('isNonPublicAddress', () => {
  it('blocks every spelling of an internal IPv4 address inside IPv6', () => {
    for (const address of [
      '::ffff:127.0.0.1',
      '::ffff:7f00:1', // how URL parsing spells [::ffff:127.0.0.1]
      '[::ffff:7f00:1]',
      '0:0:0:0:0:ffff:a9fe:a9fe', // 169.254.169.254
      '::ffff:a00:8', // 10.0.0.8
      '::127.0.0.1',
      '::7f00:1',
      '64:ff9b::7f00:1', // NAT64
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::', // 6to4 of 127.0.0.1
      '2002:c0a8:101::1', // 6to4 of 192.168.1.1
    ]) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
  });

  it('blocks internal, reserved and documentation ranges of both families', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '198.51.100.7',
      '203.0.113.9',
    ]) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      '::',
      '::1',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '2001::1',
      '100::1',
      'fe80::1%eth0',
    ]) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    expect(isNonPublicAddress('not an address')).toBe(true);
  });

  it('lets public addresses through, including public IPv4 inside IPv6', () => {
    for (const address of [
      '8.8.8.8',
      '114.114.114.114',
      '93.184.216.34',
      '2400:3200::1',
      '2606:4700:4700::1111',
      '::ffff:808:808',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });
});
