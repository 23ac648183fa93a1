/**
 * The one pipeline, in order: collect → facts → evaluate → follow-up reads → report. Each step
 * hands the next an explicit value; nothing is remembered between steps or between runs.
 */
import type { Options } from './args.js';
import type { Evaluation } from './checks/types.js';
import { collectGarbage, COLLECT_FROM_INSTANCES } from './memory.js';
import {
  accountScopes,
  inPool,
  isFleet,
  sequenceStats,
  sumStats,
  withReader,
  type Reader,
  type RunStats,
  type Targets,
} from './collect/index.js';
import { evaluate } from './engine.js';
import type { Facts } from './facts/schema.js';
import { foreignTransitGateways, withOwnersView, type OwnersView } from './facts/transit.js';
import type { Lang } from './lang.js';
import type { Diagnosis } from './report/build.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export interface Io {
  /** stderr: stats, progress, what changed between runs. */
  err: NodeJS.WritableStream & { isTTY?: boolean };
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/** One region's facts and every instance in them, evaluated. */
export interface RegionRead {
  facts: Facts;
  evaluations: Evaluation[];
}

/** Checks whose failure says nothing about the instance's session channel: the caller's own permissions and plugin, and the channel itself. */
const NOT_ABOUT_THE_CHANNEL = new Set(['agent-registered', 'caller-start-session']);

/**
 * The Online instances whose session channel is worth one ssm:GetConnectionStatus call each in a
 * fleet: those in which some check already fails or warns, where a notconnected channel confirms
 * the gap and a connected one shows something unseen is in play. A fully passing Online instance
 * is not asked; that is the price of a fleet scan that grows with structure, not size.
 */
export function suspects(facts: Facts, evaluations: readonly Evaluation[]): string[] {
  const m = facts.managedInstances;
  if (!m.known) return [];
  return evaluations
    .filter(
      (e) =>
        m.value[e.instanceId]?.pingStatus === 'Online' &&
        e.results.some((r) => !NOT_ABOUT_THE_CHANNEL.has(r.id) && (r.status === 'fail' || r.status === 'warn')),
    )
    .map((e) => e.instanceId);
}

/** Regions (or accounts) whose facts this process is reading right now. */
let reading = 0;

/**
 * One region: read the facts, evaluate every instance in them; in a fleet (where GetConnectionStatus
 * is not asked up front) ask it for the suspects and evaluate those again with the answer.
 */
export async function readRegion(
  reader: Reader,
  targets: Targets,
  fleet: boolean,
  chosen?: ReadonlySet<string>,
  lang?: Lang,
): Promise<RegionRead> {
  reading++;
  let facts: Facts;
  try {
    facts = await reader.facts(targets);
  } finally {
    reading--;
  }
  const ids = [...new Set([...targets.ids, ...Object.keys(facts.instances)])];
  // A full collection stops the whole process: not while another region's reads are in flight,
  // whose answers and requests it would hold up.
  const collect = () => {
    if (ids.length >= COLLECT_FROM_INSTANCES && reading === 0) collectGarbage();
  };
  collect();
  const evaluations = evaluate(facts, ids, chosen, lang);
  collect();
  const asked = fleet ? suspects(facts, evaluations) : [];
  if (!asked.length) return { facts, evaluations };
  return withConnections(facts, evaluations, asked, await reader.connections(asked), chosen, lang);
}

/** The suspects' GetConnectionStatus answers added to the facts, and those instances judged again with them. */
function withConnections(
  facts: Facts,
  evaluations: readonly Evaluation[],
  asked: readonly string[],
  answers: NonNullable<Facts['connections']>,
  chosen?: ReadonlySet<string>,
  lang?: Lang,
): RegionRead {
  const after: Facts = { ...facts, connections: { ...facts.connections, ...answers } };
  const again = new Map(evaluate(after, asked, chosen, lang).map((e) => [e.instanceId, e]));
  return { facts: after, evaluations: evaluations.map((e) => again.get(e.instanceId) ?? e) };
}

/**
 * Which region reports an id asked for by name: the one it exists in, else one that could not
 * tell, else the first. Instances a selection (--all, --filter) found stay in their region.
 */
export function assemble(named: readonly string[], reads: readonly RegionRead[]): Diagnosis {
  const exists = (r: RegionRead, id: string) => {
    const f = r.facts.instances[id];
    return f?.known === true && f.value !== null;
  };
  const unsure = (r: RegionRead, id: string) => r.facts.instances[id]?.known === false;
  const home = (id: string) => reads.find((r) => exists(r, id)) ?? reads.find((r) => unsure(r, id)) ?? reads[0];
  const asked = new Set(named);
  const evaluations = reads.flatMap((r) => {
    const byId = new Map(r.evaluations.map((e) => [e.instanceId, e]));
    const ids = [...named.filter((id) => home(id) === r), ...Object.keys(r.facts.instances).filter((id) => !asked.has(id))];
    return ids.flatMap((id) => byId.get(id) ?? []);
  });
  return { regions: reads.map((r) => r.facts.region), evaluations };
}

/** What a run chose to judge: the checks it runs, and whether the caller's side counts. */
export interface Choice {
  chosen?: ReadonlySet<string>;
  skippedByChoice?: readonly string[];
  caller?: boolean;
}

const judged = (c: Choice): Pick<Diagnosis, 'callerCounts' | 'skippedByChoice'> => ({
  callerCounts: Boolean(c.caller),
  ...(c.skippedByChoice?.length ? { skippedByChoice: c.skippedByChoice } : {}),
});

/** A facts file (or the demo): no AWS, no follow-up reads; the ids named, else every instance in it. */
export function diagnoseFacts(facts: Facts, instanceIds: readonly string[], choice: Choice = {}): Diagnosis {
  return { regions: [facts.region], evaluations: evaluate(facts, instanceIds, choice.chosen), ...judged(choice) };
}

/** A diagnosis read from AWS, with the facts of its region when --save-facts asks for them. */
export type AwsDiagnosis = Diagnosis & { facts?: Facts };

/** Reads every region side by side and diagnoses them as one (--help and --version never load this: src/cli.ts answers them). */
export async function diagnoseAws(opts: Options, io: Io): Promise<AwsDiagnosis> {
  if (opts.profiles.length > 1 || opts.orgRole !== undefined) return diagnoseAccounts(opts, io);
  const regions = opts.regions.length ? opts.regions : [undefined];
  const targets: Targets = { ids: opts.instanceIds, all: opts.all, filters: opts.filters, iamSweep: opts.iamSweep };
  const progress = opts.quiet ? undefined : progressLine(io, regions.length);
  let reads: (RegionRead & { stats: ReturnType<Reader['stats']> })[];
  try {
    reads = await Promise.all(
      regions.map((region, i) =>
        withReader(
          { region, profile: opts.profile, timeoutMs: opts.timeoutMs, onProgress: progress && ((n, started) => progress(i, n, started)) },
          async (reader) => ({
            ...(await readRegion(reader, targets, isFleet(targets), opts.chosen, opts.lang)),
            stats: reader.stats(),
          }),
        ),
      ),
    );
  } finally {
    if (progress) io.err.write('\r\u001b[K');
  }
  if (opts.stats) io.err.write(`${TOOL_NAME} stats: ${JSON.stringify(sumStats(reads.map((r) => r.stats)))}\n`);
  // --save-facts holds one region: the CLI writes it after the report, so a bad path never costs the report.
  const facts = opts.saveFacts ? { ...reads[0]!.facts, tool: { name: TOOL_NAME, version: TOOL_VERSION } } : undefined;
  return { ...assemble(opts.instanceIds, reads), ...judged(opts), ...(facts ? { facts } : {}) };
}

/** Account-regions read at once: each is up to 128 calls in flight per service, so four keep AWS's request rates and this machine comfortable. */
export const READING_AT_ONCE = 4;

/**
 * Several accounts (--profile a,b or --org-role): every account × region, at most READING_AT_ONCE
 * at a time. An account or region that cannot be read (a role not assumed, no credentials, a region
 * disabled) is reported as unread beside the others, and makes the run UNKNOWN; it does not end it.
 */
async function diagnoseAccounts(opts: Options, io: Io): Promise<Diagnosis> {
  const { scopes, unread } = await accountScopes({
    profiles: opts.profiles,
    orgRole: opts.orgRole,
    accounts: opts.accounts,
    region: opts.regions[0],
    timeoutMs: opts.timeoutMs,
  });
  const regions = opts.regions.length ? opts.regions : [undefined];
  const targets: Targets = { ids: opts.instanceIds, all: opts.all, filters: opts.filters, iamSweep: opts.iamSweep };
  const jobs = scopes.flatMap((scope) => regions.map((region) => ({ scope, region })));
  const progress = opts.quiet ? undefined : progressLine(io, jobs.length);
  let reads: (AccountRead | undefined)[];
  try {
    reads = await inPool(jobs, READING_AT_ONCE, async ({ scope, region }, i) => {
      try {
        return await withReader(
          {
            region,
            profile: scope.profile,
            credentials: scope.credentials,
            sideBySide: true,
            timeoutMs: opts.timeoutMs,
            onProgress: progress && ((n, started) => progress(i, n, started)),
          },
          async (reader) => ({
            ...(await readRegion(reader, targets, isFleet(targets), opts.chosen, opts.lang)),
            stats: reader.stats(),
            account: scope.account,
          }),
        );
      } catch (e) {
        if ((e as Error)?.name !== 'CollectError') throw e;
        unread.push({
          ...(scope.account ? { account: scope.account } : {}),
          ...(scope.profile ? { profile: scope.profile } : {}),
          ...(region ? { region } : {}),
          reason: (e as Error).message,
        });
        return undefined;
      }
    });
  } finally {
    if (progress) io.err.write('\r\u001b[K');
  }
  // Later reads as one job's account (an owner's view, the suspects it makes), each counted apart.
  const ownerStats: RunStats[] = [];
  const suspectStats: RunStats[] = [];
  const asJob = <T>(j: number, region: string | undefined, counted: RunStats[], read: (reader: Reader) => Promise<T>) => {
    const { scope } = jobs[j]!;
    const base = { region, profile: scope.profile, credentials: scope.credentials, sideBySide: true, timeoutMs: opts.timeoutMs };
    return withReader(base, async (reader) => {
      try {
        return await read(reader);
      } finally {
        counted.push(reader.stats());
      }
    });
  };
  const readOwner: ReadOwner = (j, region, tgwIds, spokes) => asJob(j, region, ownerStats, (r) => r.transit(tgwIds, spokes));
  const readConnections: ReadConnections = (i, ids) => asJob(i, reads[i]?.facts.region, suspectStats, (r) => r.connections(ids));
  const done = (await withOwnersViews(reads, readOwner, opts.chosen, opts.lang, readConnections)).filter((r) => r !== undefined);
  if (opts.stats) {
    // The owners' views are read after every account's own read, and the suspects they make after
    // them: their rounds come on top.
    const stats = [ownerStats, suspectStats]
      .filter((later) => later.length > 0)
      .reduce((before, later) => sequenceStats(before, sumStats(later)), sumStats(done.map((r) => r.stats)));
    io.err.write(`${TOOL_NAME} stats: ${JSON.stringify(stats)}\n`);
  }
  // An instance whose facts do not name its owner (an older facts shape) takes the account it was read in.
  const withAccounts = done.map((r) => ({
    ...r,
    evaluations: r.evaluations.map((e) => (e.account || !r.account ? e : { ...e, account: r.account })),
  }));
  const d = assemble(opts.instanceIds, withAccounts);
  const accounts = [...new Set(withAccounts.flatMap((r) => r.account ?? r.evaluations.flatMap((e) => e.account ?? [])))];
  return { ...d, regions: [...new Set(d.regions)], accounts, unread, ...judged(opts) };
}

export type AccountRead = RegionRead & { stats: ReturnType<Reader['stats']>; account?: string };

/** Reads, as the given account's scope, the view the owner has of its transit gateways. */
export type ReadOwner = (owner: number, region: string, tgwIds: string[], spokes: ReadonlySet<string>) => Promise<OwnersView>;

/** Asks ssm:GetConnectionStatus for these instances, as the account and region of the read at this index. */
export type ReadConnections = (read: number, ids: string[]) => Promise<NonNullable<Facts['connections']>>;

/**
 * A spoke account of a shared transit gateway sees only its side of it: not the other attachments,
 * not the route tables' propagations, not the hub. When the owner account is among the accounts of
 * the run (same region), its view is read once with its credentials (`readOwner`, by the index of
 * its read) for all the spokes that need it, merged into each spoke's facts, and the spokes'
 * instances are judged again. Otherwise transit-gateway-path stays unknown, naming the owner.
 * An instance judged again that has become a suspect (Online, and now with a gap) is asked
 * ssm:GetConnectionStatus as a fleet's suspects are (`readConnections`), and judged with the answer.
 */
export async function withOwnersViews(
  reads: readonly (AccountRead | undefined)[],
  readOwner: ReadOwner,
  chosen?: ReadonlySet<string>,
  lang?: Lang,
  readConnections?: ReadConnections,
): Promise<(AccountRead | undefined)[]> {
  const accountOf = (r: AccountRead) => r.account ?? (r.facts.caller?.known ? r.facts.caller.value.accountId : undefined);
  // What each owner account is asked, once for all the spokes of its region: the union of their gateways and VPCs.
  const asks = new Map<string, { j: number; region: string; tgwIds: Set<string>; spokes: Set<string> }>();
  const wants = reads.map((r) => {
    const account = r && accountOf(r);
    if (!r || !account) return [];
    return [...foreignTransitGateways(r.facts, account)].flatMap(([owner, tgwIds]) => {
      const j = reads.findIndex((o) => o && o.facts.region === r.facts.region && accountOf(o) === owner);
      if (j < 0) return [];
      const key = `${j} ${r.facts.region}`;
      const ask = asks.get(key) ?? { j, region: r.facts.region, tgwIds: new Set<string>(), spokes: new Set<string>() };
      tgwIds.forEach((t) => ask.tgwIds.add(t));
      Object.keys(r.facts.vpcs).forEach((v) => ask.spokes.add(v));
      asks.set(key, ask);
      return [key];
    });
  });
  const views = new Map<string, OwnersView | undefined>();
  await Promise.all(
    [...asks].map(async ([key, a]) => {
      try {
        views.set(key, await readOwner(a.j, a.region, [...a.tgwIds].sort(), a.spokes));
      } catch (e) {
        // The owner's view could not be read: the spokes' own verdicts stand.
        if ((e as Error)?.name !== 'CollectError') throw e;
      }
    }),
  );
  return Promise.all(
    reads.map(async (r, i) => {
      if (!r) return r;
      const got = (wants[i] ?? []).flatMap((key) => views.get(key) ?? []);
      if (!got.length) return r;
      const facts = got.reduce(withOwnersView, r.facts);
      const evaluations = evaluate(
        facts,
        r.evaluations.map((e) => e.instanceId),
        chosen,
        lang,
      );
      const asked = readConnections ? suspects(facts, evaluations).filter((id) => !facts.connections?.[id]) : [];
      if (!readConnections || !asked.length) return { ...r, facts, evaluations };
      let answers: NonNullable<Facts['connections']>;
      try {
        answers = await readConnections(i, asked);
      } catch (e) {
        // Not asked after all: the instances keep the verdicts judged without the answer.
        if ((e as Error)?.name !== 'CollectError') throw e;
        return { ...r, facts, evaluations };
      }
      return { ...r, ...withConnections(facts, evaluations, asked, answers, chosen, lang) };
    }),
  );
}

/**
 * A progress bar on one line of a terminal's stderr; never when stderr is a file or a pipe. Its total
 * is the calls known so far (answered and in flight): each answer can call for more reads, so the
 * total grows as the run learns, and the bar says so rather than promise an end it cannot know.
 */
export function progressLine(io: Io, regions: number): ((region: number, calls: number, started?: number) => void) | undefined {
  if (!io.err.isTTY) return undefined;
  const done = new Array<number>(regions).fill(0);
  const known = new Array<number>(regions).fill(0);
  return (region, calls, started = calls) => {
    done[region] = calls;
    known[region] = Math.max(started, calls);
    io.err.write(`\r\u001b[K${progressText(sum(done), sum(known), regions)}`);
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** `ssm-doctor: reading AWS [██████░░░░░░░░░░] 34/52 calls known so far (2 regions)` */
export function progressText(done: number, total: number, regions: number, width = 20): string {
  const filled = total ? Math.min(width, Math.floor((done / total) * width)) : 0;
  const where = regions > 1 ? ` (${regions} regions or accounts)` : '';
  return `${TOOL_NAME}: reading AWS [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} calls known so far${where}`;
}
