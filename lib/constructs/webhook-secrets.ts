import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";

export interface WebhookSecretsProps {
  readonly vendors: readonly VendorConfig[];
}

/**
 * One Secrets Manager secret per vendor with a webhook channel, named by the vendor's `secretName`.
 * Created with a random value; for platforms that issue the secret (Shopify, WooCommerce) an operator
 * replaces it with the vendor's. During a rotation the value is `{"current": …, "previous": …}` and
 * both are accepted (docs/vendor-onboarding.md).
 *
 * Default settings: AWS managed key, retained on stack deletion.
 */
export class WebhookSecrets extends Construct {
  /** Secrets by vendor id. */
  readonly secrets: ReadonlyMap<string, ISecret>;

  constructor(scope: Construct, id: string, props: WebhookSecretsProps) {
    super(scope, id);
    const secrets = new Map<string, ISecret>();
    for (const vendor of props.vendors) {
      const channel = vendor.channels.webhook;
      if (!channel) continue;
      const secret = new Secret(this, vendor.id, {
        secretName: channel.secretName,
        description: `Webhook signing secret of vendor ${vendor.id} (${channel.scheme})`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "A webhook signing secret is shared with the vendor, which issues or must accept each new value; rotation is the manual two-secret procedure in docs/vendor-onboarding.md, not a Lambda rotation.",
      });
      secrets.set(vendor.id, secret);
    }
    this.secrets = secrets;
  }
}
