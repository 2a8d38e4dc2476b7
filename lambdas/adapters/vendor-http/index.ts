/**
 * The vendor HTTP JSON connector of the scheduled (pull) workflow. See {@link VendorHttpConnector}.
 */
export { type SecretPort, TokenCache } from "./auth.ts";
export { type PullCheckpoint, type PullPosition, parseCheckpoint } from "./checkpoint.ts";
export {
  type PulledPage,
  type PullOptions,
  type PullResult,
  VendorHttpConnector,
  type VendorHttpConnectorDeps,
} from "./connector.ts";
export {
  CheckpointMismatchError,
  PagingLoopError,
  VendorAuthError,
  VendorHttpError,
  VendorUnavailableError,
} from "./errors.ts";
export { formatWatermark } from "./watermark.ts";
