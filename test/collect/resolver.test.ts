// The registry's Route 53 Resolver client is an older release (another copy of @smithy/types): its commands are cast for the mock.
import { ListResolverRuleAssociationsCommand, ListResolverRulesCommand } from '@aws-sdk/client-route53resolver';
import { resolverRulesOf } from '../../src/collect/dns/resolver';
import { known } from '../../src/facts/schema';
import { mockedAws, type MockedAws } from './helpers/aws';

const VPC = 'vpc-0123456789abcdef0';
const OTHER_VPC = 'vpc-0fedcba9876543210';
const rule = (Id: string, DomainName: string, RuleType = 'FORWARD') => ({
  Id,
  DomainName,
  RuleType,
  Name: 'r',
  TargetIps: [{ Ip: '10.9.0.2', Port: 53 }],
});

describe('Route 53 Resolver rules', () => {
  let m: MockedAws;
  beforeEach(async () => {
    m = await mockedAws();
  });
  afterEach(() => m.clients.destroy());

  it('gives each VPC the rules associated with it and in force, across pages of both lists', async () => {
    m.resolver
      .on(ListResolverRuleAssociationsCommand as never)
      .resolvesOnce({
        ResolverRuleAssociations: [
          { ResolverRuleId: 'rslvr-rr-000000000000000a1', VPCId: VPC, Status: 'COMPLETE' },
          { ResolverRuleId: 'rslvr-rr-000000000000000a2', VPCId: VPC, Status: 'FAILED' },
        ],
        NextToken: 'p2',
      } as never)
      .resolvesOnce({
        ResolverRuleAssociations: [{ ResolverRuleId: 'rslvr-rr-000000000000000a3', VPCId: OTHER_VPC, Status: 'COMPLETE' }],
      } as never);
    m.resolver
      .on(ListResolverRulesCommand as never)
      .resolvesOnce({ ResolverRules: [rule('rslvr-rr-000000000000000a1', 'amazonaws.com.')], NextToken: 'q2' } as never)
      .resolvesOnce({
        ResolverRules: [rule('rslvr-rr-000000000000000a2', 'x.example.'), rule('rslvr-rr-000000000000000a3', 'corp.example.', 'SYSTEM')],
      } as never);
    const of = await resolverRulesOf(m.clients);
    expect(of(VPC)).toEqual(
      known([
        { ruleId: 'rslvr-rr-000000000000000a1', domainName: 'amazonaws.com.', ruleType: 'FORWARD', name: 'r', targetIps: ['10.9.0.2'] },
      ]),
    );
    expect(of(OTHER_VPC)).toEqual(known([expect.objectContaining({ ruleId: 'rslvr-rr-000000000000000a3', ruleType: 'SYSTEM' })]));
    expect(of('vpc-0aaaaaaaaaaaaaaa0')).toEqual(known([]));
    expect(m.clients.recorder.stats().byOperation).toEqual({
      'route53resolver:ListResolverRuleAssociations': 2,
      'route53resolver:ListResolverRules': 2,
    });
  });

  it('a rule associated but not in the list, or a list that is denied, is unknown for that VPC, naming the call', async () => {
    m.resolver
      .on(ListResolverRuleAssociationsCommand as never)
      .resolves({ ResolverRuleAssociations: [{ ResolverRuleId: 'rslvr-rr-0000000000000000b', VPCId: VPC }] } as never);
    m.resolver.on(ListResolverRulesCommand as never).resolves({ ResolverRules: [] } as never);
    expect((await resolverRulesOf(m.clients))(VPC)).toMatchObject({
      known: false,
      call: 'route53resolver:ListResolverRules',
      code: 'NotCollected',
    });

    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    m.resolver.on(ListResolverRuleAssociationsCommand as never).rejects(denied);
    expect((await resolverRulesOf(m.clients))(VPC)).toMatchObject({
      known: false,
      call: 'route53resolver:ListResolverRuleAssociations',
      code: 'AccessDeniedException',
    });
  });
});
