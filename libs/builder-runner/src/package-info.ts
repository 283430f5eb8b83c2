/** The npm name of this package. */
export const packageName = '@devcontainer-kit/builder-runner';
