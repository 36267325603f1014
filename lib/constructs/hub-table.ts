/**
 * `HubTable`: the single DynamoDB table behind the customer view (profiles,
 * timelines, identity lookups, dedupe records; key layout in
 * `functions/adapters/aws/dynamodb-profile-store.ts`).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Attribute names the store code uses; changing one is a data migration. */
const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'ttl',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export interface HubTableProps {
  /**
   * Disposable data (the `dev` stage): the table is destroyed with the stack
   * and has no deletion protection. Otherwise it is retained and protected.
   * @default false
   */
  readonly disposable?: boolean;
  /** CloudWatch Contributor Insights (hot partition keys). @default true unless disposable */
  readonly contributorInsights?: boolean;
}

export class HubTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: HubTableProps = {}) {
    super(scope, id);
    const disposable = props.disposable ?? false;
    this.table = new Table(this, 'table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttl,
      // On-demand: webhook traffic is bursty and unpredictable per tenant, and
      // an idle stage costs nothing.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed KMS key (aws/dynamodb): encrypted at rest with key use
      // visible in CloudTrail, no key policy to operate and no $1/month key per
      // stage. A customer-managed key only pays off for cross-account access or
      // crypto-shredding, neither of which the hub does.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: !disposable,
      removalPolicy: disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      contributorInsightsSpecification: { enabled: props.contributorInsights ?? !disposable },
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.indexName,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
