import { withOwnersViews, type AccountRead, type ReadConnections, type ReadOwner } from '../src/diagnose';
import { evaluate } from '../src/engine';
import { known, type Facts } from '../src/facts/schema';
import type { OwnersView } from '../src/facts/transit';
import { IDS, factsWith } from './helpers/facts';
import { HUB, SPOKE_ATT, TGW, attachment, central, hubVpc } from './helpers/transit';

// A spoke account of a shared transit gateway sees only its own attachment. When the owner account
// is read in the same run, its view is merged in and the spoke's instances are judged again.

const OWNER = '210987654321';

/** What the spoke account reads: its attachment to the owner's transit gateway, no hub, no propagations. */
function spokeFacts(): Facts {
  return factsWith((f) => {
    central(f);
    delete f.vpcs[HUB];
    f.transitGateways = {
      attachments: { [TGW]: known([attachment({ transitGatewayOwnerId: OWNER })]) },
      propagations: {},
      hubVpcs: known([]),
    };
  });
}

/** The owner's view: the complete transit gateway facts of the healthy hub world, and the hub VPC. */
function ownersView(): OwnersView {
  const whole = factsWith(central);
  return { transitGateways: whole.transitGateways!, hubs: { vpcs: { [HUB]: hubVpc() }, prefixLists: {} } };
}

/** The spoke read as a fleet is: GetConnectionStatus not asked up front. */
function fleetSpokeFacts(): Facts {
  const f = spokeFacts();
  delete f.connections;
  return f;
}

/** The owner's view, in which the spoke's attachment (as only the owner sees it) has failed. */
function failedSpokeView(): OwnersView {
  const view = ownersView();
  const atts = view.transitGateways.attachments[TGW]!;
  if (atts.known) atts.value = atts.value.map((a) => (a.attachmentId === SPOKE_ATT ? { ...a, state: 'failed' } : a));
  return view;
}

const readOf = (facts: Facts, account?: string): AccountRead => ({
  facts,
  evaluations: evaluate(facts, Object.keys(facts.instances)),
  stats: { calls: 0, rounds: 0, byOperation: {} } as unknown as AccountRead['stats'],
  ...(account ? { account } : {}),
});
const statusOf = (r: AccountRead | undefined) => r?.evaluations[0]?.results.find((x) => x.id === 'transit-gateway-path')?.status;

/** An account with no instances, known by its caller identity (a --profile run). */
function ownerFacts(): Facts {
  const f = factsWith(() => undefined);
  f.instances = {};
  f.caller = known({ arn: `arn:aws:sts::${OWNER}:assumed-role/ReadOnly/ci`, accountId: OWNER });
  return f;
}

it('alone, the spoke account cannot judge the hub: unknown naming the owner', async () => {
  const spoke = readOf(spokeFacts(), IDS.account);
  expect(statusOf(spoke)).toBe('unknown');
  const read = jest.fn<ReturnType<ReadOwner>, Parameters<ReadOwner>>();
  const [after] = await withOwnersViews([spoke], read);
  expect(after).toBe(spoke);
  expect(read).not.toHaveBeenCalled();
});

it("with the owner account in the run, its view is read as that account, merged, and the spoke's instance judged again", async () => {
  const spoke = readOf(spokeFacts(), IDS.account);
  const owner = readOf(ownerFacts());
  const read = jest.fn<ReturnType<ReadOwner>, Parameters<ReadOwner>>().mockResolvedValue(ownersView());
  const [after, same] = await withOwnersViews([spoke, owner], read);
  expect(read).toHaveBeenCalledWith(1, IDS.region, [TGW], new Set([IDS.vpc]));
  expect(statusOf(after)).toBe('pass');
  expect(after!.facts.vpcs[HUB]).toBeDefined();
  const atts = after!.facts.transitGateways!.attachments[TGW]!;
  expect(atts.known && atts.value.map((a) => a.attachmentId)).toContain(SPOKE_ATT);
  expect(same).toBe(owner);
});

it("the owner's view cannot be read: the spoke's own verdict stands", async () => {
  const spoke = readOf(spokeFacts(), IDS.account);
  const failing = Object.assign(new Error('AWS did not answer'), { name: 'CollectError' });
  const [after] = await withOwnersViews([spoke, readOf(ownerFacts())], () => Promise.reject(failing));
  expect(statusOf(after)).toBe('unknown');
});

it('two spoke reads of one owner: the owner is read once, for both, and both are judged on its view', async () => {
  const a = readOf(spokeFacts(), IDS.account);
  const other = spokeFacts();
  other.vpcs['vpc-0second00000000001'] = other.vpcs[IDS.vpc]!;
  const b = readOf(other, '333344445555');
  const read = jest.fn<ReturnType<ReadOwner>, Parameters<ReadOwner>>().mockResolvedValue(ownersView());
  const [x, y] = await withOwnersViews([a, b, readOf(ownerFacts())], read);
  expect(read).toHaveBeenCalledTimes(1);
  expect(read.mock.calls[0]![3]).toEqual(new Set([IDS.vpc, 'vpc-0second00000000001']));
  expect([statusOf(x), statusOf(y)]).toEqual(['pass', 'pass']);
});

it("a participant of a shared VPC: the VPC's owner, read in the run, is asked for the attachments it holds", async () => {
  const facts = spokeFacts();
  facts.vpcs[IDS.vpc]!.ownerId = OWNER;
  facts.transitGateways!.attachments[TGW] = known([]);
  const read = jest.fn<ReturnType<ReadOwner>, Parameters<ReadOwner>>().mockResolvedValue(ownersView());
  const [after] = await withOwnersViews([readOf(facts, IDS.account), readOf(ownerFacts())], read);
  expect(read).toHaveBeenCalledWith(1, IDS.region, [TGW], new Set([IDS.vpc]));
  expect(statusOf(after)).toBe('pass');
});

it("an instance the owner's view finds a gap in is a suspect: ssm:GetConnectionStatus is asked as its account, and it is judged with the answer", async () => {
  const facts = fleetSpokeFacts();
  const view = failedSpokeView();
  const connections = jest
    .fn<ReturnType<ReadConnections>, Parameters<ReadConnections>>()
    .mockResolvedValue({ [IDS.instance]: known('notconnected') });
  const [after] = await withOwnersViews(
    [readOf(facts, IDS.account), readOf(ownerFacts())],
    () => Promise.resolve(view),
    undefined,
    undefined,
    connections,
  );
  expect(statusOf(after)).toBe('fail');
  expect(connections).toHaveBeenCalledWith(0, [IDS.instance]);
  expect(after!.facts.connections).toEqual({ [IDS.instance]: known('notconnected') });
  const agent = after!.evaluations[0]!.results.find((x) => x.id === 'agent-registered');
  expect(agent).toMatchObject({ status: 'fail', message: { en: expect.stringContaining('notconnected') } });
});

it('the merged view finds no new gap: GetConnectionStatus is not asked', async () => {
  const facts = fleetSpokeFacts();
  const connections = jest.fn<ReturnType<ReadConnections>, Parameters<ReadConnections>>();
  const [after] = await withOwnersViews(
    [readOf(facts, IDS.account), readOf(ownerFacts())],
    () => Promise.resolve(ownersView()),
    undefined,
    undefined,
    connections,
  );
  expect(statusOf(after)).toBe('pass');
  expect(connections).not.toHaveBeenCalled();
});

it("the suspects' GetConnectionStatus cannot be asked (the account's credentials have gone): the verdicts judged without it stand", async () => {
  const facts = fleetSpokeFacts();
  const view = failedSpokeView();
  const failing = Object.assign(new Error('no credentials'), { name: 'CollectError' });
  const [after] = await withOwnersViews(
    [readOf(facts, IDS.account), readOf(ownerFacts())],
    () => Promise.resolve(view),
    undefined,
    undefined,
    () => Promise.reject(failing),
  );
  expect(statusOf(after)).toBe('fail');
  expect(after!.facts.connections).toBeUndefined();
  expect(after!.evaluations[0]!.results.find((x) => x.id === 'agent-registered')?.status).toBe('pass');
});
