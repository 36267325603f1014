/**
 * Outbound destinations: the address table and the URL
 * check (pure), then the guarded fetch against real sockets — a name that
 * resolves to a private address (DNS rebinding) is refused at connect time,
 * redirects are never followed, and a slow server times out.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundUrlError, outboundFetch, type Resolver } from '../../functions/shared/outbound-fetch.js';
import {
  blockedAddress,
  checkOutboundUrl,
  embeddedIpv4,
  OUTBOUND_AWS,
  OUTBOUND_LOCAL,
} from '../../functions/shared/outbound-url.js';

describe('Outbound addresses', () => {
  it.each([
    // address, refused on AWS (reason), refused locally
    ['10.1.2.3', /private/, true],
    ['172.16.0.1', /private/, true],
    ['172.31.255.255', /private/, true],
    ['192.168.1.50', /private/, true],
    ['127.0.0.1', /loopback/, false],
    ['127.8.9.10', /loopback/, false],
    ['169.254.169.254', /link-local \(instance metadata/, true],
    ['169.254.10.1', /link-local/, true],
    ['100.64.0.1', /carrier-grade NAT/, true],
    ['100.127.255.254', /carrier-grade NAT/, true],
    ['0.0.0.0', /this network/, true],
    ['255.255.255.255', /broadcast/, true],
    ['224.0.0.251', /multicast/, true],
    ['198.18.0.1', /benchmarking/, true],
    ['192.0.2.1', /documentation/, true],
    ['::1', /loopback/, false],
    ['::', /unspecified/, true],
    ['fe80::1', /link-local/, true],
    ['fd00:ec2::254', /unique-local \(includes the instance metadata/, true],
    ['fc00::1', /unique-local/, true],
    ['ff02::1', /multicast/, true],
    ['2001:db8::1', /documentation/, true],
    ['::ffff:169.254.169.254', /IPv6 form of 169\.254\.169\.254, link-local/, true],
    ['::ffff:a9fe:a9fe', /IPv6 form of 169\.254\.169\.254/, true],
    ['::ffff:10.0.0.1', /IPv6 form of 10\.0\.0\.1, private/, true],
    ['::ffff:127.0.0.1', /IPv6 form of 127\.0\.0\.1, loopback/, false],
    ['64:ff9b::192.168.0.1', /IPv6 form of 192\.168\.0\.1/, true],
    ['2002:c0a8:0001::', /IPv6 form of 192\.168\.0\.1/, true],
    ['fe80::1%eth0', /link-local/, true],
  ])('refuses %s on AWS (%s)', (address, why, refusedLocally) => {
    // Act
    const aws = blockedAddress(address, OUTBOUND_AWS);
    const local = blockedAddress(address, OUTBOUND_LOCAL);

    // Assess
    expect(aws).toMatch(why);
    expect(local !== undefined).toBe(refusedLocally);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('lets the public address %s through', (address) => {
    expect(blockedAddress(address, OUTBOUND_AWS)).toBeUndefined();
  });

  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '1.2.3.4'],
    ['2002:0102:0304::1', '1.2.3.4'],
    ['::1', undefined],
    ['2606:4700::1111', undefined],
  ])('reads the IPv4 address inside %s', (address, v4) => {
    expect(embeddedIpv4(address)).toBe(v4);
  });
});

describe('Outbound URLs', () => {
  const reason = (url: string, policy = OUTBOUND_AWS) => {
    const checked = checkOutboundUrl(url, policy);
    return typeof checked === 'string' ? checked : 'ok';
  };

  it.each([
    ['https://crm.example.com/hooks/omnihub', 'ok', 'ok'],
    ['https://api.hubapi.com/crm/v3/objects/contacts/1', 'ok', 'ok'],
    ['http://crm.example.com/hooks', /must be https/, /must be https/],
    ['http://localhost:4000/hooks', /must be https/, 'ok'],
    ['https://localhost/hooks', /this machine/, 'ok'],
    ['https://hub.localhost/hooks', /this machine/, 'ok'],
    ['http://127.0.0.1:4000/hooks', /must be https/, 'ok'],
    ['http://[::1]:4000/hooks', /must be https/, 'ok'],
    ['https://10.0.0.5/hooks', /must not point to 10\.0\.0\.5: private/, /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local \(instance metadata/, /link-local/],
    ['http://169.254.169.254/latest/meta-data/', /must be https/, /must be https/],
    ['https://[fd00:ec2::254]/latest', /unique-local/, /unique-local/],
    ['https://[::ffff:a9fe:a9fe]/', /IPv6 form of 169\.254\.169\.254/, /IPv6 form/],
    // Every spelling of 127.0.0.1 the URL parser accepts is the same address.
    ['https://2130706433/', /127\.0\.0\.1: loopback/, 'ok'],
    ['https://0x7f.0.0.1/', /127\.0\.0\.1: loopback/, 'ok'],
    ['https://0177.0.0.1/', /127\.0\.0\.1: loopback/, 'ok'],
    ['https://8.8.8.8/hooks', /must name a host, not the IP address 8\.8\.8\.8/, /must name a host/],
    ['https://[2606:4700::1111]/', /must name a host/, /must name a host/],
    ['https://user:secret@crm.example.com/', /credentials/, /credentials/],
    ['https://intranet/hooks', /fully qualified/, /fully qualified/],
    ['ftp://crm.example.com/', /must be https/, /must be https/],
    ['not a url', /not an absolute URL/, /not an absolute URL/],
  ])('judges %s (AWS: %s, local: %s)', (url, aws, local) => {
    // Act & Assess
    expect(reason(url)).toMatch(aws instanceof RegExp ? aws : new RegExp(`^${aws}$`));
    expect(reason(url, OUTBOUND_LOCAL)).toMatch(local instanceof RegExp ? local : new RegExp(`^${local}$`));
  });
});

describe('outboundFetch', () => {
  let http: Server;
  let httpPort = 0;
  let raw: NetServer;
  let rawPort = 0;
  let rawConnections = 0;
  const hits: string[] = [];

  beforeAll(async () => {
    http = createHttpServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000).unref();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpPort = (http.address() as AddressInfo).port;
    // Counts TCP connections: a refused destination must not even get one.
    raw = createNetServer((socket) => {
      rawConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawPort = (raw.address() as AddressInfo).port;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  });

  /** A DNS that answers what the test says: the attacker's name server. */
  const dns =
    (answers: Record<string, string[]>): Resolver =>
    async (hostname) =>
      (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a public-looking name that resolves to a loopback address, before connecting (DNS rebinding)', async () => {
    // Prepare
    const guarded = outboundFetch({ policy: OUTBOUND_AWS, resolve: dns({ 'api.vendor.example': ['127.0.0.1'] }) });
    const before = rawConnections;

    // Act
    const call = guarded(`https://api.vendor.example:${rawPort}/v1/orders`);

    // Assess
    await expect(call).rejects.toThrow(OutboundUrlError);
    await expect(call).rejects.toThrow(/api\.vendor\.example resolves to 127\.0\.0\.1, loopback: refused/);
    expect(rawConnections).toBe(before);
  });

  it.each([
    ['the metadata address', ['169.254.169.254'], /169\.254\.169\.254, link-local/],
    ['a private address after a public one', ['93.184.216.34', '10.0.0.7'], /10\.0\.0\.7, private/],
    ['an IPv4-mapped private address', ['::ffff:192.168.0.10'], /IPv6 form of 192\.168\.0\.10/],
    ['the IPv6 metadata address', ['fd00:ec2::254'], /unique-local/],
  ])('refuses a name that resolves to %s', async (_, addresses, why) => {
    // Prepare
    const guarded = outboundFetch({ policy: OUTBOUND_AWS, resolve: dns({ 'hooks.crm.example': addresses }) });

    // Act & Assess
    await expect(guarded(`https://hooks.crm.example:${rawPort}/`)).rejects.toThrow(why);
  });

  it('refuses a private URL without resolving or connecting, and names only its origin', async () => {
    // Prepare
    let resolved = 0;
    const guarded = outboundFetch({
      policy: OUTBOUND_AWS,
      resolve: async () => {
        resolved++;
        return [];
      },
    });

    // Act
    const error = await guarded('https://10.0.0.5/rest/1/secret-key/crm.lead.get').catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect((error as Error).message).toBe(
      'Refusing to call https://10.0.0.5: it must not point to 10.0.0.5: private (RFC 1918)',
    );
    expect(resolved).toBe(0);
  });

  it('reaches this machine only under the local policy', async () => {
    // Prepare
    const local = outboundFetch({ policy: OUTBOUND_LOCAL });
    const aws = outboundFetch({ policy: OUTBOUND_AWS });

    // Act
    const res = await local(`http://127.0.0.1:${httpPort}/hello`);
    const refused = aws(`http://127.0.0.1:${httpPort}/hello`);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await expect(refused).rejects.toThrow(/must be https/);
  });

  it('never follows a redirect (the 302 points to the metadata service)', async () => {
    // Prepare
    const local = outboundFetch({ policy: OUTBOUND_LOCAL });
    hits.length = 0;

    // Act
    const call = local(`http://localhost:${httpPort}/redirect`, { redirect: 'follow' });

    // Assess
    await expect(call).rejects.toThrow();
    expect(hits).toEqual(['/redirect']);
  });

  it('gives up on a slow server after its timeout', async () => {
    // Prepare
    const local = outboundFetch({ policy: OUTBOUND_LOCAL, timeoutMs: 100 });

    // Act & Assess
    await expect(local(`http://127.0.0.1:${httpPort}/slow`)).rejects.toThrow(/timeout|aborted/i);
  });
});
