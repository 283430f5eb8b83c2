export type { FallbackErrorCode } from './errors.js';
export { FallbackError } from './errors.js';
export type { FailureReason, RenderFailureExplanationOptions } from './explanation.js';
export { renderFailureExplanation, scrubSecrets } from './explanation.js';
export type { FallbackWorkspace, StartFallbackWorkspaceOptions } from './start.js';
export { clearFallbackExplanation, FALLBACK_EXPLANATION_FILE, FALLBACK_LABEL, startFallbackWorkspace } from './start.js';
