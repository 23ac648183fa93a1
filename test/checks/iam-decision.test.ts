import { decide, type Request } from '../../src/checks/lib/iam-decision';
import { FactUnknown } from '../../src/checks/types';
import { known, type Facts } from '../../src/facts/schema';
import { CORE_ACTIONS, IDS, boundaryOn, denied, factsWith } from '../helpers/facts';

const BOUNDARY = `arn:aws:iam::${IDS.account}:policy/DevBoundary`;
const CTX = { region: IDS.region };
const CORE: Request[] = CORE_ACTIONS.map((action) => ({ action }));
const role = { role: IDS.role };

/** The role without a simulation, with a boundary whose document is `doc` (undefined: not read). */
const bounded = (doc?: object[], patch: (f: Facts) => void = () => {}) =>
  factsWith((f) => {
    delete f.roles[IDS.role]!.simulation;
    boundaryOn(f, BOUNDARY, doc);
    patch(f);
  });
const kinds = (f: Facts, requests: Request[] = CORE) => decide(f, role, requests, CTX).permissions.map((p) => p.decision);

describe('decide', () => {
  it('takes every answered request from the simulator', () => {
    const d = decide(
      factsWith(() => {}),
      role,
      CORE,
      CTX,
    );
    expect(d.permissions.map((p) => [p.decision, p.from])).toEqual(CORE.map(() => ['allow', 'simulator']));
    expect(d.permissions[0]!.policyIds).toEqual(['AmazonSSMManagedInstanceCore']);
    expect(d.simulatorMissing).toBeUndefined();
  });

  it('takes unanswered requests from the documents and says why the simulator did not decide them', () => {
    const d = decide(
      factsWith(() => {}),
      role,
      [...CORE, { action: 'ec2messages:GetMessages' }],
      CTX,
    );
    expect(d.permissions.map((p) => p.from)).toEqual(['simulator', 'simulator', 'simulator', 'simulator', 'simulator', 'documents']);
    expect(d.permissions[5]!.decision).toBe('allow');
    expect(d.simulatorMissing?.en).toBe('iam:SimulatePrincipalPolicy did not cover ec2messages:GetMessages');
  });

  it('a boundary that leaves out ssmmessages makes them "boundary"', () => {
    const f = bounded([{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }]);
    expect(kinds(f)).toEqual(['allow', 'boundary', 'boundary', 'boundary', 'boundary']);
  });

  it('a boundary that allows everything lets the identity policies decide', () => {
    const f = bounded([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    expect(kinds(f)).toEqual(['allow', 'allow', 'allow', 'allow', 'allow']);
  });

  it('a Deny in the boundary wins and is named as a statement of the boundary', () => {
    const f = bounded([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'NoChannels', Effect: 'Deny', Action: 'ssmmessages:Open*', Resource: '*' },
    ]);
    const d = decide(f, role, CORE, CTX);
    expect(d.permissions.map((p) => p.decision)).toEqual(['allow', 'allow', 'allow', 'explicit', 'explicit']);
    const ref = d.permissions[3]!.statements[0]!;
    expect(ref).toMatchObject({ sid: 'NoChannels', effect: 'Deny', source: d.view!.sources.length });
    expect(d.view!.boundary?.arn).toBe(BOUNDARY);
  });

  it('an identity Deny wins over a boundary that allows', () => {
    const f = bounded(
      [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      (g) =>
        void (g.roles[IDS.role]!.inlinePolicies = known([
          { policyName: 'lockdown', document: { Statement: { Effect: 'Deny', Action: 'ssm:*', Resource: '*' } } },
        ])),
    );
    expect(kinds(f)[0]).toBe('explicit');
  });

  it('a boundary whose document was not read throws FactUnknown naming the call', () => {
    expect(() => decide(bounded(), role, CORE, CTX)).toThrow(FactUnknown);
    expect(() => decide(bounded(), role, CORE, CTX)).toThrow(/iam:GetPolicyVersion: NotCollected/);
    const f = bounded(undefined, (g) => void (g.roles[IDS.role]!.permissionsBoundary = denied('iam:GetPolicy')));
    expect(() => decide(f, role, CORE, CTX)).toThrow(/iam:GetPolicy: AccessDenied/);
  });

  it('a built-in AWS managed policy as the boundary needs no document', () => {
    const f = bounded(undefined, (g) => {
      const r = g.roles[IDS.role]!.role;
      if (r?.known) r.value.permissionsBoundaryArn = IDS.coreArn;
    });
    expect(kinds(f, [...CORE, { action: 's3:GetObject' }])).toEqual(['allow', 'allow', 'allow', 'allow', 'allow', 'boundary']);
  });

  it('an unread boundary does not matter when the simulator answered everything', () => {
    const f = factsWith((g) => {
      const r = g.roles[IDS.role]!.role;
      if (r?.known) r.value.permissionsBoundaryArn = BOUNDARY;
    });
    expect(kinds(f)).toEqual(['allow', 'allow', 'allow', 'allow', 'allow']);
  });

  it('a denied iam:GetRole without the simulator is unknown: the boundary cannot be known', () => {
    const f = bounded(undefined, (g) => void (g.roles[IDS.role]!.role = denied('iam:GetRole')));
    expect(() => decide(f, role, CORE, CTX)).toThrow(/iam:GetRole: AccessDenied/);
  });

  it('unreadable documents throw only when a request needs them', () => {
    const f = factsWith((g) => void (g.roles[IDS.role]!.attachedPolicies = denied('iam:ListAttachedRolePolicies')));
    expect(decide(f, role, CORE, CTX).view).toBeUndefined();
    expect(() => decide(f, role, [{ action: 'ec2messages:GetMessages' }], CTX)).toThrow(/iam:ListAttachedRolePolicies: AccessDenied/);
  });

  it('the simulator names the Deny statement the documents show', () => {
    const f = factsWith((g) => {
      const r = g.roles[IDS.role]!;
      r.inlinePolicies = known([
        { policyName: 'lockdown', document: { Statement: { Sid: 'No', Effect: 'Deny', Action: 'ssm:*', Resource: '*' } } },
      ]);
      if (r.simulation?.known)
        r.simulation.value[0] = {
          ...r.simulation.value[0]!,
          decision: 'explicitDeny',
          matchedStatements: [{ sourcePolicyId: 'lockdown' }],
        };
    });
    const p = decide(f, role, CORE, CTX).permissions[0]!;
    expect(p).toMatchObject({ decision: 'explicit', from: 'simulator', policyIds: ['lockdown'], statements: [{ sid: 'No', source: 0 }] });
  });

  it('prefers the result on the request’s own resource', () => {
    const arn = `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${IDS.instance}`;
    const f = factsWith((g) => {
      const sim = g.roles[IDS.role]!.simulation;
      if (sim?.known) {
        sim.value[0] = { ...sim.value[0]!, decision: 'implicitDeny' };
        sim.value.push({ ...sim.value[0]!, resource: arn, decision: 'allowed' });
      }
    });
    expect(kinds(f, [{ action: 'ssm:UpdateInstanceInformation', resource: arn }])).toEqual(['allow']);
    expect(kinds(f, [{ action: 'ssm:UpdateInstanceInformation' }])).toEqual(['implicit']);
  });

  it('the caller has only the simulator', () => {
    const f = factsWith(() => {});
    const d = decide(f, { caller: true }, [{ action: 'ssm:StartSession' }], CTX);
    expect(d.permissions[0]).toMatchObject({ decision: 'allow', from: 'simulator' });
    expect(() => decide(f, { caller: true }, [{ action: 'kms:GenerateDataKey' }], CTX)).toThrow(
      /iam:SimulatePrincipalPolicy: NotCollected/,
    );
    f.callerSimulation = denied('iam:SimulatePrincipalPolicy');
    expect(() => decide(f, { caller: true }, [{ action: 'ssm:StartSession' }], CTX)).toThrow(/iam:SimulatePrincipalPolicy: AccessDenied/);
  });
  it('for a resource, takes the result on that resource, else on *, never one on another instance', () => {
    const arn = (id: string) => `arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${id}`;
    const f = factsWith((g) => {
      const sim = g.callerSimulation;
      if (sim?.known) {
        const first = sim.value[0]!;
        sim.value.push({ ...first, resource: arn('i-0other'), decision: 'implicitDeny' });
        sim.value.push({ ...first, action: 'kms:GenerateDataKey', resource: '*', decision: 'implicitDeny' });
      }
    });
    const caller = { caller: true } as const;
    expect(decide(f, caller, [{ action: 'ssm:StartSession', resource: arn(IDS.instance) }], CTX).permissions[0]!.decision).toBe('allow');
    expect(decide(f, caller, [{ action: 'ssm:StartSession', resource: arn('i-0other') }], CTX).permissions[0]!.decision).toBe('implicit');
    expect(
      decide(f, caller, [{ action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:ap-northeast-1:123456789012:key/k' }], CTX).permissions[0]!
        .decision,
    ).toBe('implicit');
    expect(() => decide(f, caller, [{ action: 'ssm:StartSession', resource: arn('i-0third') }], CTX)).toThrow(FactUnknown);
  });
});
