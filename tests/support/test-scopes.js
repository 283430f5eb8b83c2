// Which test files are slow, and why. `npm test` (tests/run-all.mjs) and CI run every test file;
// `npm run test:unit` (tests/run-unit.mjs, DCK_TEST_SCOPE=unit) leaves out the files listed here,
// so a contributor gets an answer in well under a minute without Docker, goss, Terraform or Kubernetes.
//
// A test file belongs here when it needs any of:
//   docker     a Docker engine (the test bed's dockerd, images, containers, the devcontainer CLI's `up`)
//   goss       the goss binary from the test bed (always with docker here)
//   terraform  Terraform and the providers' filesystem mirror
//   kubernetes the one-node cluster from tests/testbed/kubernetes.sh
//   registry   verdaccio or the local image registry
//   long       nothing external, but more than ~10 s of work (fuzzing, real-time retry schedules,
//              packing .vsix files with the test bed's vsix.sh, npm install + build of a fresh clone)
// In the unit scope the test bed refuses to run (tests/testbed/lib.sh) and docker, dockerd, goss,
// terraform, kubectl, coder and code-server are stubs that exit 127, so a slow test missing from
// this list fails loudly there instead of quietly taking minutes. tests/support/test-scopes.test.ts
// checks that every entry still names an existing file.

/** @type {Record<string, Record<string, string>>} package directory → { file or glob: kind(s) } */
export const slowTests = {
  'apps/coder-devcontainer-kubernetes': {
    'test/template.test.ts': 'terraform',
    'test/tasks.test.ts': 'terraform docker goss',
  },
  'libs/builder-runner': {
    'test/agent-quick-start.test.ts': 'docker',
    'test/container.test.ts': 'docker',
    'test/secret-hygiene.test.ts': 'docker',
    'test/extensions/install.test.ts': 'docker',
    'test/fallback/start.test.ts': 'docker',
    'test/extensions/vsix.test.ts': 'long',
  },
  'libs/coder-log-client': {
    'test/integration.test.ts': 'long',
  },
  'libs/devcontainer-config': {
    'test/differential.test.ts': 'docker',
    'test/fuzz.test.ts': 'long',
  },
  'libs/prebuild-cache': {
    'test/prebuild.test.ts': 'docker registry',
    'test/secret-hygiene.test.ts': 'docker',
  },
  'libs/workspace-test': {
    'test/cli.test.ts': 'docker goss',
    'test/code-server.test.ts': 'docker goss',
    'test/docker-transport.test.ts': 'docker goss',
    'test/failing-checks.test.ts': 'docker goss',
    'test/kubectl-coder-transport.test.ts': 'docker goss',
    'test/goss-templates.test.ts': 'goss',
  },
  tests: {
    'e2e/**/*.test.ts': 'docker goss terraform kubernetes',
    'publish/**/*.test.ts': 'registry',
    'testbed/**/*.test.ts': 'docker goss terraform',
    'fresh-clone/**/*.test.ts': 'long',
  },
};

/** bats files (or folders ending in /) that need the test bed, from the repository root. */
export const slowBats = ['tests/testbed/', 'apps/coder-devcontainer-kubernetes/tests/'];

/** The slow globs of one package directory (relative to the repository root, e.g. 'libs/builder-runner'). */
export function slowGlobs(packageDir) {
  return Object.keys(slowTests[packageDir] ?? {});
}
