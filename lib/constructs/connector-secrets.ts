/**
 * `ConnectorSecrets`: one Secrets Manager secret per registered connector,
 * named `<prefix><connector>` (what `SecretsManagerStore` reads). The stack
 * creates each secret holding `{}`; operators put the vendor values afterwards,
 * so no secret material ever passes through CDK, git or CloudFormation.
 */
import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Connector } from '../../functions/connectors/types.js';

/** What the stack needs to know about a connector. */
export type ConnectorInfo = Pick<Connector, 'name' | 'secrets'> & {
  /** Has a `hydrate` step: the hydrator may read its secret (vendor API credentials). */
  readonly hydrates: boolean;
};

/** The stack's view of a registry entry. */
export const connectorInfo = (c: Pick<Connector, 'name' | 'secrets' | 'hydrate'>): ConnectorInfo => ({
  name: c.name,
  secrets: c.secrets,
  hydrates: typeof c.hydrate === 'function',
});

/**
 * Initial value of every secret. It must never change: CloudFormation would
 * overwrite the value an operator put with it on the next deploy. The keys a
 * connector expects are listed in the secret's description instead.
 */
const PLACEHOLDER_VALUE = '{}';

export interface ConnectorSecretsProps {
  readonly connectors: readonly ConnectorInfo[];
  /** Name prefix, e.g. `omnihub/prod/connectors/`. */
  readonly prefix: string;
  /**
   * @default RemovalPolicy.DESTROY — a deleted stage's secrets are recoverable
   * for Secrets Manager's recovery window and can be re-issued by the vendor.
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class ConnectorSecrets extends Construct {
  /** Secrets by connector name, in registry order. */
  public readonly byConnector: ReadonlyMap<string, ISecret>;
  private readonly connectors: readonly ConnectorInfo[];

  constructor(scope: Construct, id: string, props: ConnectorSecretsProps) {
    super(scope, id);
    this.connectors = props.connectors;
    const byConnector = new Map<string, ISecret>();
    for (const connector of props.connectors) {
      const keys = connector.secrets.map((s) => `"${s.name}"${s.required ? '' : ' (optional)'}`).join(', ');
      const secret = new Secret(this, connector.name, {
        secretName: `${props.prefix}${connector.name}`,
        description: `Omnihub ${connector.name} webhook secrets, JSON with keys: ${keys || 'none'}`,
        // An empty JSON object, not a secret: the real value is put out of band.
        secretStringValue: SecretValue.unsafePlainText(PLACEHOLDER_VALUE),
        removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Vendor-issued webhook signing secret / verify token: the vendor generates it and only the vendor console can rotate it, so a Secrets Manager rotation Lambda cannot; operators rotate it by hand when the vendor does.',
      });
      byConnector.set(connector.name, secret);
    }
    this.byConnector = byConnector;
  }

  /** All secrets, in registry order. */
  public get secrets(): ISecret[] {
    return [...this.byConnector.values()];
  }

  /** Secrets of the connectors with a `hydrate` step, the only ones the hydrator reads. */
  public get hydrationSecrets(): ISecret[] {
    return this.connectors.filter((c) => c.hydrates).map((c) => this.byConnector.get(c.name) as ISecret);
  }
}
