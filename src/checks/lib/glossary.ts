/**
 * The console's own labels, as the AWS Management Console shows them in English and Japanese: the
 * one place fix steps take them from, so a label is spelled the same in every check. A step names
 * a label with `label('editInbound')`, which gives `Edit inbound rules` / `「インバウンドルールを編集」`.
 */
import type { Text } from '../../lang.js';

export const CONSOLE = {
  actions: { en: 'Actions', ja: 'アクション' },
  additionalSettings: { en: 'Additional settings', ja: '追加設定' },
  addNewRule: { en: 'Add new rule', ja: '新しいルールを追加' },
  addPermissions: { en: 'Add permissions', ja: '許可を追加' },
  addRoute: { en: 'Add route', ja: 'ルートを追加' },
  addRule: { en: 'Add rule', ja: 'ルールを追加' },
  allow: { en: 'Allow', ja: '許可' },
  attachPolicies: { en: 'Attach policies', ja: 'ポリシーをアタッチ' },
  autoUpdateAgent: { en: 'Auto update SSM Agent', ja: 'SSM Agent の自動更新' },
  available: { en: 'Available', ja: '使用可能' },
  awsService: { en: 'AWS service', ja: 'AWS のサービス' },
  awsServices: { en: 'AWS services', ja: 'AWS のサービス' },
  changeSecurityGroups: { en: 'Change security groups', ja: 'セキュリティグループを変更' },
  chooseInstancesManually: { en: 'Choose instances manually', ja: 'インスタンスを手動で選択する' },
  createEndpoint: { en: 'Create endpoint', ja: 'エンドポイントを作成' },
  createInlinePolicy: { en: 'Create inline policy', ja: 'インラインポリシーを作成' },
  createPolicy: { en: 'Create policy', ja: 'ポリシーの作成' },
  createRole: { en: 'Create role', ja: 'ロールを作成' },
  createSecurityGroup: { en: 'Create security group', ja: 'セキュリティグループを作成' },
  custom: { en: 'Custom', ja: 'カスタム' },
  customTcp: { en: 'Custom TCP', ja: 'カスタム TCP' },
  deleteVpcEndpoints: { en: 'Delete VPC endpoints', ja: 'VPC エンドポイントを削除' },
  ec2: { en: 'EC2', ja: 'EC2' },
  edit: { en: 'Edit', ja: '編集' },
  editInbound: { en: 'Edit inbound rules', ja: 'インバウンドルールを編集' },
  editOutbound: { en: 'Edit outbound rules', ja: 'アウトバウンドルールを編集' },
  editRoutes: { en: 'Edit routes', ja: 'ルートを編集' },
  editTrustPolicy: { en: 'Edit trust policy', ja: '信頼ポリシーを編集' },
  editVpcSettings: { en: 'Edit VPC settings', ja: 'VPC の設定を編集' },
  enableDnsHostnames: { en: 'Enable DNS hostnames', ja: 'DNS ホスト名を有効化' },
  enableDnsName: { en: 'Enable DNS name', ja: 'DNS 名を有効化' },
  enableDnsResolution: { en: 'Enable DNS resolution', ja: 'DNS 解決を有効化' },
  enableForThisEndpoint: { en: 'Enable for this endpoint', ja: 'このエンドポイントで有効にする' },
  endpoints: { en: 'Endpoints', ja: 'エンドポイント' },
  fleetManager: { en: 'Fleet Manager', ja: 'フリートマネージャー' },
  fullAccess: { en: 'Full access', ja: 'フルアクセス' },
  getSystemLog: { en: 'Get system log', ja: 'システムログを取得' },
  iam: { en: 'IAM', ja: 'IAM' },
  inboundRules: { en: 'Inbound rules', ja: 'インバウンドルール' },
  instances: { en: 'Instances', ja: 'インスタンス' },
  instanceSettings: { en: 'Instance settings', ja: 'インスタンスの設定' },
  instanceState: { en: 'Instance state', ja: 'インスタンスの状態' },
  launchInstances: { en: 'Launch instances', ja: 'インスタンスを起動' },
  managePolicy: { en: 'Manage policy', ja: 'ポリシーを管理' },
  managePrivateDnsNames: { en: 'Manage private DNS names', ja: 'プライベート DNS 名を管理' },
  manageSubnets: { en: 'Manage subnets', ja: 'サブネットを管理' },
  modifyIamRole: { en: 'Modify IAM role', ja: 'IAM ロールを変更' },
  modifyMetadataOptions: { en: 'Modify instance metadata options', ja: 'インスタンスメタデータオプションの変更' },
  monitorAndTroubleshoot: { en: 'Monitor and troubleshoot', ja: 'モニタリングとトラブルシューティング' },
  networkAcls: { en: 'Network ACLs', ja: 'ネットワーク ACL' },
  next: { en: 'Next', ja: '次へ' },
  outboundRules: { en: 'Outbound rules', ja: 'アウトバウンドルール' },
  permissions: { en: 'Permissions', ja: '許可' },
  permissionsBoundary: { en: 'Permissions boundary', ja: 'アクセス許可の境界' },
  policies: { en: 'Policies', ja: 'ポリシー' },
  preferences: { en: 'Preferences', ja: '設定' },
  rebootInstance: { en: 'Reboot instance', ja: 'インスタンスを再起動' },
  removeBoundary: { en: 'Remove boundary', ja: '境界を削除' },
  roles: { en: 'Roles', ja: 'ロール' },
  routes: { en: 'Routes', ja: 'ルート' },
  routeTables: { en: 'Route tables', ja: 'ルートテーブル' },
  run: { en: 'Run', ja: '実行' },
  runCommand: { en: 'Run Command', ja: 'Run Command' },
  runCommandAction: { en: 'Run command', ja: 'コマンドを実行' },
  save: { en: 'Save', ja: '保存' },
  saveChanges: { en: 'Save changes', ja: '変更を保存' },
  saveRules: { en: 'Save rules', ja: 'ルールを保存' },
  security: { en: 'Security', ja: 'セキュリティ' },
  securityGroups: { en: 'Security groups', ja: 'セキュリティグループ' },
  serviceControlPolicies: { en: 'Service control policies', ja: 'サービスコントロールポリシー' },
  sessionManager: { en: 'Session Manager', ja: 'Session Manager' },
  settings: { en: 'Settings', ja: '設定' },
  startInstance: { en: 'Start instance', ja: 'インスタンスを開始' },
  systemsManager: { en: 'Systems Manager', ja: 'Systems Manager' },
  trustRelationships: { en: 'Trust relationships', ja: '信頼関係' },
  updateIamRole: { en: 'Update IAM role', ja: 'IAM ロールの更新' },
  updatePolicy: { en: 'Update policy', ja: 'ポリシーを更新' },
  users: { en: 'Users', ja: 'ユーザー' },
  vpc: { en: 'VPC', ja: 'VPC' },
  yourVpcs: { en: 'Your VPCs', ja: 'お使いの VPC' },
  dhcpOptionSet: { en: 'DHCP option set', ja: 'DHCP オプションセット' },
  kms: { en: 'Key Management Service', ja: 'Key Management Service' },
  customerManagedKeys: { en: 'Customer managed keys', ja: 'カスタマー管理型のキー' },
  keyActions: { en: 'Key actions', ja: 'キーのアクション' },
  enable: { en: 'Enable', ja: '有効化' },
  cancelKeyDeletion: { en: 'Cancel key deletion', ja: 'キーの削除をキャンセル' },
  keyPolicy: { en: 'Key policy', ja: 'キーポリシー' },
  keyMaterial: { en: 'Key material', ja: 'キーマテリアル' },
  importKeyMaterial: { en: 'Import key material', ja: 'キーマテリアルのインポート' },
  customKeyStores: { en: 'Custom key stores', ja: 'カスタムキーストア' },
  connect: { en: 'Connect', ja: '接続' },
  route53: { en: 'Route 53', ja: 'Route 53' },
  resolverInbound: { en: 'Resolver → Inbound endpoints', ja: 'Resolver → インバウンドエンドポイント' },
  createInboundEndpoint: { en: 'Create inbound endpoint', ja: 'インバウンドエンドポイントを作成' },
  resolverRules: { en: 'Resolver → Rules', ja: 'Resolver → ルール' },
  createRule: { en: 'Create rule', ja: 'ルールを作成' },
} as const satisfies Record<string, Text>;

export type ConsoleLabel = keyof typeof CONSOLE;

/** A console label as a step shows it: plain in English, in 「」 in Japanese. */
export function label(name: ConsoleLabel): Text {
  const l = CONSOLE[name];
  return { en: l.en, ja: `「${l.ja}」` };
}

/** A console path: `IAM → Roles → MyRole` / `「IAM」→「ロール」→「MyRole」`; `{ id }` is a resource's own name, shown as it is. */
export function consolePath(...parts: (ConsoleLabel | { id: string })[]): Text {
  const word = (p: ConsoleLabel | { id: string }, lang: 'en' | 'ja') => (typeof p === 'string' ? CONSOLE[p][lang] : p.id);
  return { en: parts.map((p) => word(p, 'en')).join(' → '), ja: parts.map((p) => `「${word(p, 'ja')}」`).join('→') };
}
