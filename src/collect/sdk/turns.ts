import type { HandlerExecutionContext, MetadataBearer, MiddlewareStack } from '@smithy/types';

/**
 * What the process does next, when several things are waiting for the CPU: requests to write first,
 * then answers that other reads wait on, then answers nothing waits on (`late`), one answer per
 * event-loop turn.
 *
 * Rounds are counted by AWS, from when each request arrives and is answered. Parsing an answer is
 * the costly part of a call (a page of 1,000 instances, or the caller's simulation over 500
 * instances, takes 10 to 100 ms), and a fleet's round brings back some 200 answers at once. Parsed
 * in the order they came, a read made from the first answer (a VPC's hosted zones, from its
 * endpoints) waited behind the parse of every other answer, was answered after them, and the reads
 * after it made a round more. Here a request made while answers wait leaves before the next of
 * them is parsed, and the answers of reads whose results start other reads are parsed before
 * the caller's simulation, whose results start none.
 *
 * One queue for the process: the regions and accounts of a run share one CPU.
 *
 * What waiting costs: an answer keeps its call's slot among a client's calls in flight
 * (./limit.ts) until it is parsed, so a late one frees it only after the others; and the next page
 * of a paged late read is asked only once the page before is parsed, after the other answers.
 * Neither has shown in any world read so far (the late reads seldom have a second page).
 */
const writes: (() => void)[] = [];
const answers: (() => void)[] = [];
const lateAnswers: (() => void)[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(drain);
}

function drain(): void {
  scheduled = false;
  if (writes.length > 0) {
    // Every request made so far leaves in this turn; the answers wait for the next one, so that
    // requests made from these (in the microtasks that follow) are written before them too.
    for (const write of writes.splice(0)) write();
  } else {
    (answers.shift() ?? lateAnswers.shift())?.();
  }
  if (writes.length + answers.length + lateAnswers.length > 0) schedule();
}

const waitIn = (queue: (() => void)[]) =>
  new Promise<void>((resolve) => {
    queue.push(resolve);
    schedule();
  });

/** Resolves when this request may be written: at the end of the turn that made it, with every other request made by then. */
export const turnToWrite = (): Promise<void> => waitIn(writes);

/** Resolves when this answer may be parsed: after the requests made so far, and after the answers before it (`late`: after every other answer). */
export const turnToParse = (late: boolean): Promise<void> => waitIn(late ? lateAnswers : answers);

const LATE = 'ssmDoctorLateAnswer';

/** Marks a command whose answer no other read waits on: it is parsed after the answers that start other reads. */
export function answerLate<C extends { middlewareStack: { add: (...args: never[]) => void } }>(command: C): C {
  (command.middlewareStack as unknown as MiddlewareStack<object, MetadataBearer>).add(
    (next, context) => (args) => {
      (context as Record<string, unknown>)[LATE] = true;
      return next(args);
    },
    { step: 'initialize', name: LATE },
  );
  return command;
}

/** Whether the command of this context was marked with answerLate. */
export const isLate = (context: HandlerExecutionContext): boolean => (context as Record<string, unknown>)[LATE] === true;
