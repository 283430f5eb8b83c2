/** The repository's root folder. */
export declare const repoRoot: string;

/** `docker run` flags that stand in for a pod's `privileged: true` on this machine (`--privileged` itself fails here). */
export declare const DIND_PRIVILEGED_FLAGS: readonly string[];

/** Runs tests/testbed/NAME.sh [ARGS…] and returns its trimmed stdout (its log goes to stderr). */
export declare function runTestbed(name: string, ...args: string[]): string;

/** Runs a test bed script that prints KEY=VALUE lines (registry-auth, sshd) and returns them as an object. */
export declare function runTestbedValues(name: string, ...args: string[]): Record<string, string>;

/** Runs docker ARGS (with ENV, e.g. another DOCKER_HOST) and returns its trimmed stdout; throws with stderr on failure. */
export declare function docker(args: string[], env?: NodeJS.ProcessEnv): string;

/** Makes sure the Docker engine answers and local/debian:bookworm exists. */
export declare function ensureDocker(): void;

/** Path of the goss v0.4.9 binary. */
export declare function gossPath(): string;

/** Path of a Terraform CLI config that installs coder/coder and hashicorp/kubernetes from the local mirror. */
export declare function terraformCliConfig(): string;

/** A free TCP port on 127.0.0.1 (for servers that cannot report the port they bound to). */
export declare function freeLoopbackPort(): Promise<number>;
