import { createRequire } from "node:module";
import { Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

const require = createRequire(import.meta.url);
/**
 * cdk-nag's own rendering of a resource in a finding id (`<Logical.Arn>/prefix/*`). Not part of the
 * package index (pinned cdk-nag 3.0.2); using it keeps acknowledgement ids exact.
 */
const { flattenCfnReference } = require("cdk-nag/lib/utils/flatten-cfn-reference.js") as {
  flattenCfnReference: (reference: unknown) => string;
};

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` finding for wildcard resources granted to `grantee`
 * (a role or policy), beside it, with the reason. A finding's id names the resource as the template
 * renders it, which for a resource of another stack is known only once cross-stack references are
 * resolved — so the ids are computed in a construct validation, which runs after references are
 * resolved and before cdk-nag, with cdk-nag's own rendering.
 *
 * @param resources - the granted resource ARNs (tokens allowed), each containing a `*`.
 */
export function acknowledgeWildcardResources(grantee: IConstruct, resources: readonly string[], reason: string): void {
  grantee.node.addValidation({
    validate: () => {
      for (const resource of resources) {
        const rendered = flattenCfnReference(Stack.of(grantee).resolve(resource));
        Validations.of(grantee).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
      }
      return [];
    },
  });
}

/** Acknowledges one `AwsSolutions-IAM5` wildcard-action finding (`kms:GenerateDataKey*`), beside the grantee. */
export function acknowledgeWildcardAction(grantee: IConstruct, action: string, reason: string): void {
  Validations.of(grantee).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
}
