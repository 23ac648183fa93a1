/** The instance's place in its VPC, as the network checks read it, and how they say a network fact was not collected. */
import type { RunMemo } from './memo.js';
import type { Facts, Instance, Vpc } from '../../facts/schema.js';
import { joinText, type Text } from '../../lang.js';
import { FactUnknown, type CheckContext } from '../types.js';

export interface Network {
  instance: Instance;
  vpcId: string;
  subnetId: string;
  vpc: Vpc;
  region: string;
  /** What the instances of this run share (see RunMemo). */
  memo: RunMemo;
  /** The collected entries of the prefix lists that the VPC's groups name (ec2:GetManagedPrefixListEntries). */
  prefixLists?: Facts['prefixLists'];
}

/** A fact the collector did not gather (or that holds no answer for this id): the check is unknown, naming the call. */
export function notCollected(call: string, message: string): FactUnknown {
  return new FactUnknown({ known: false, call, code: 'NotCollected', message });
}

export function networkOf({ instance, facts, memo }: Pick<CheckContext, 'instance' | 'facts' | 'memo'>): Network {
  const { vpcId, subnetId } = instance;
  if (!vpcId || !subnetId) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no VPC or subnet in the facts`);
  const vpc = facts.vpcs[vpcId];
  if (!vpc) throw notCollected('ec2:DescribeVpcs', `${vpcId} is not in the facts`);
  return { instance, vpcId, subnetId, vpc, region: facts.region, memo, prefixLists: facts.prefixLists };
}

/** Ids or names in a sentence: `a, b` in English, `a、b` in Japanese. */
export const listText = (xs: readonly string[]): Text => ({ en: xs.join(', '), ja: xs.join('、') });

/** Texts in a sentence, the way `listText` lists ids. */
export const listOf = (texts: readonly Text[]): Text => joinText(texts, ', ', '、');
