export { FallbackError } from './errors.js';
export type { FallbackErrorCode } from './errors.js';
export { renderFailureExplanation, scrubSecrets } from './explanation.js';
export type { FailureReason, RenderFailureExplanationOptions } from './explanation.js';
export { FALLBACK_EXPLANATION_FILE, FALLBACK_LABEL, clearFallbackExplanation, startFallbackWorkspace } from './start.js';
export type { FallbackWorkspace, StartFallbackWorkspaceOptions } from './start.js';
