/**
 * `vendor-sync webhook send --vendor <id> <body.json>` (its work is in `webhook-delivery.ts`, loaded
 * when it runs).
 */
import { type Command, Option } from "commander";
import type { SendOptions, WebhookSendContext } from "./webhook-delivery.ts";

export type { WebhookSendContext } from "./webhook-delivery.ts";

/** Adds `webhook send` to the program. */
export function registerWebhookCommands(program: Command, ctx: WebhookSendContext): void {
  const webhook = program.command("webhook").description("test deliveries of a vendor's webhooks");
  webhook
    .command("send")
    .description("sign a JSON file with the vendor's scheme and secret and post it to serve (or the deployed API)")
    .requiredOption("--vendor <id>", "vendor id")
    .argument("<body.json>", "the delivery's body, sent byte for byte")
    .option("--topic <topic>", "the platform topic header (Shopify: products/update; WooCommerce: product.updated)")
    .option("--event-id <id>", "the delivery's message or event id (default: a fresh one)")
    .addOption(new Option("--target <target>", "where to post it").choices(["sandbox", "aws"]).default("sandbox"))
    .option("--url <url>", "post here instead (the sandbox's or the API's base URL)")
    .option("--stage <stage>", "with --target aws: the stage whose stack outputs name the webhook URL", "dev")
    .option("--region <region>", "with --target aws: the stack's region (default: the stage config's)")
    .option("--json", "print exactly one JSON object on one line (logs go to stderr)")
    .option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)")
    .action(async (file: string, options: SendOptions) => {
      const { sendTestDelivery } = await import("./webhook-delivery.ts");
      const sent = await sendTestDelivery(ctx, file, options);
      if (options.json) ctx.io.out(`${JSON.stringify(sent)}\n`);
      else {
        ctx.io.out(
          `POST ${sent.url} (event ${sent.eventId}) → ${sent.status} ${typeof sent.response === "string" ? sent.response : JSON.stringify(sent.response)}\n`,
        );
      }
      ctx.setExitCode(sent.status >= 200 && sent.status < 300 ? 0 : 1);
    });
}
