/**
 * `ConnectorSecrets`: one Secrets Manager secret per registered connector,
 * named `<prefix><connector>` (what `SecretsManagerStore` reads). The stack
 * creates each secret holding `{}`; operators put the vendor values afterwards,
 * so no secret material ever passes through CDK, git or CloudFormation.
 */
import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ConnectorMeta } from '../../functions/connectors/types.js';

/** What the stack needs to know about a connector: its registry metadata (`hydrates`: the hydrator may read its secret). */
export type ConnectorInfo = Pick<ConnectorMeta, 'name' | 'secrets' | 'hydrates'>;

/**
 * Initial value of every secret. It must never change: CloudFormation would
 * overwrite the value an operator put with it on the next deploy. The keys a
 * connector expects are listed in the secret's description instead.
 */
const PLACEHOLDER_VALUE = '{}';

/**
 * Why a Secrets Manager rotation function does not rotate this connector's
 * secret, from what its secret specs say about each key:
 * a vendor-issued value can only be replaced by the vendor; an operator-chosen
 * one changes together with the vendor's setting, which only the operator (or
 * vendor-management credentials the hub deliberately does not hold) can do.
 */
const rotationReason = (connector: Pick<ConnectorInfo, 'name' | 'secrets'>): string => {
  const of = (by: 'vendor' | 'operator' | 'none') =>
    connector.secrets.filter((s) => s.rotation.by === by).map((s) => `"${s.name}"`);
  const vendor = of('vendor');
  const operator = of('operator');
  const config = of('none');
  const parts = [
    vendor.length
      ? `${vendor.join(', ')} ${vendor.length > 1 ? 'are' : 'is'} issued by the vendor, so only the vendor can replace ${vendor.length > 1 ? 'them' : 'it'} (a rotation function cannot make the vendor sign with a new value)`
      : '',
    operator.length
      ? `${operator.join(', ')} ${operator.length > 1 ? 'are' : 'is'} chosen by the operator and must change at the vendor in the same step, which needs the vendor's console or management credentials the hub does not hold; it is rotated by hand`
      : '',
    config.length ? `${config.join(', ')} ${config.length > 1 ? 'are' : 'is'} configuration, not a credential` : '',
  ].filter(Boolean);
  const what = parts.length ? parts.join('; ') : 'it holds no keys';
  return `Omnihub ${connector.name} connector secret: ${what}. How each key is replaced: docs/security.md#rotating-connector-secrets.`;
};

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
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: rotationReason(connector) });
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
