/** The npm name of this package. */
export const packageName = '@devcontainer-kit/workspace-test';
