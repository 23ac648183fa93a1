import { ListHostedZonesByVPCCommand } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildClients } from '../../src/collect/sdk/clients';
import { GUARD_NAME } from '../../src/collect/sdk/guard';

/** The Route 53 and STS clients keep the SDK's per-service endpoint variables working, and are guarded like the others. */
let saved: NodeJS.ProcessEnv;
let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url?.startsWith('/2013-04-01/hostedzonesbyvpc')) {
        seen.push(`route53 ${req.method} ${req.url}`);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<?xml version="1.0"?><ListHostedZonesByVPCResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneSummaries>' +
            '<HostedZoneSummary><HostedZoneId>Z0111</HostedZoneId><Name>ssm.ap-northeast-1.amazonaws.com.</Name>' +
            '<Owner><OwningAccount>111122223333</OwningAccount></Owner></HostedZoneSummary></HostedZoneSummaries><MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>',
        );
        return;
      }
      seen.push(`sts ${new URLSearchParams(body).get('Action')}`);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          '<Arn>arn:aws:iam::123456789012:user/bob</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>' +
          '</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  saved = process.env;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clean = Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('AWS_')));
  process.env = {
    ...clean,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL_ROUTE_53: url,
    AWS_ENDPOINT_URL_STS: url,
  };
});
afterEach(() => {
  process.env = saved;
});

it('sends route53:ListHostedZonesByVPC to AWS_ENDPOINT_URL_ROUTE_53 and sts:GetCallerIdentity to AWS_ENDPOINT_URL_STS', async () => {
  const c = await buildClients({ region: 'ap-northeast-1' });
  try {
    for (const client of [c.sts, c.route53]) expect(client.middlewareStack.identify().join('\n')).toContain(GUARD_NAME);
    const zones = await c.route53.send(new ListHostedZonesByVPCCommand({ VPCId: 'vpc-0a1b2c3d4e5f60718', VPCRegion: 'ap-northeast-1' }));
    expect(zones.HostedZoneSummaries?.[0]).toMatchObject({ HostedZoneId: 'Z0111', Owner: { OwningAccount: '111122223333' } });
    const me = await c.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe('arn:aws:iam::123456789012:user/bob');
    expect(seen).toEqual([
      'route53 GET /2013-04-01/hostedzonesbyvpc?vpcid=vpc-0a1b2c3d4e5f60718&vpcregion=ap-northeast-1',
      'sts GetCallerIdentity',
    ]);
    expect(c.recorder.records.map((r) => `${r.operation} ${r.outcome}`)).toEqual([
      'route53:ListHostedZonesByVPC ok',
      'sts:GetCallerIdentity ok',
    ]);
  } finally {
    c.destroy();
  }
});
