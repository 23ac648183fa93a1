import { CHECKS } from '../src/checks/index';

// Adding a check, removing one, reordering or changing a severity must be a deliberate diff here:
// CI jobs select checks by id and the JSON lists them in this order.
test('check ids, order and severities are pinned', () => {
  expect(CHECKS.map((c) => [c.id, c.severity])).toEqual([
    ['instance-state', 'critical'],
    ['instance-metadata', 'critical'],
    ['iam-instance-profile', 'critical'],
    ['iam-trust-policy', 'critical'],
    ['iam-core-policy', 'critical'],
    ['network-route', 'critical'],
    ['block-public-access', 'critical'],
    ['transit-gateway-path', 'critical'],
    ['instance-sg-egress', 'critical'],
    ['network-acl', 'critical'],
    ['vpc-endpoints', 'critical'],
    ['vpc-endpoints-az', 'warning'],
    ['endpoint-private-dns', 'critical'],
    ['vpc-dns-servers', 'warning'],
    ['ipv6-only-path', 'critical'],
    ['endpoint-sg-https', 'critical'],
    ['endpoint-policy', 'critical'],
    ['session-preferences', 'critical'],
    ['session-kms-key', 'critical'],
    ['agent-registered', 'critical'],
    ['agent-version', 'warning'],
    ['caller-start-session', 'warning'],
  ]);
});

test('every check has a title in both languages and only requires earlier checks', () => {
  CHECKS.forEach((c, i) => {
    expect(c.title.en).toMatch(/\S/);
    expect(c.title.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(c.title.en).not.toBe(c.id);
    for (const dep of c.requires ?? []) {
      expect(CHECKS.slice(0, i).map((x) => x.id)).toContain(dep);
    }
  });
});
