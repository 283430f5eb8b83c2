/** The npm name of this package. */
export const packageName = '@devcontainer-kit/k8s-manifests';
