import { Stack, Validations } from "aws-cdk-lib";
// cdk-nag renders wildcard resources with this helper; using it keeps our acknowledgement ids exact.
// It is not part of the package index (pinned cdk-nag 3.0.2).
import { flattenCfnReference } from "cdk-nag/lib/utils/flatten-cfn-reference.js";
import type { IConstruct } from "constructs";

/**
 * Acknowledges one `AwsSolutions-IAM5` wildcard-resource finding for a specific resource pattern,
 * beside the resource, with a reason. The finding id is rendered the way cdk-nag renders it, so the
 * acknowledgement covers exactly that pattern and nothing else.
 *
 * @param resource - the policy resource as written (tokens allowed, e.g. `${bucket.bucketArn}/webhooks/*`).
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const rendered = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

/** Acknowledges one `AwsSolutions-IAM5` wildcard-action finding (`kms:GenerateDataKey*`). */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
}
