// moon run coder-devcontainer-kubernetes:bench — the template on the test bed's real one-node cluster
// (tests/testbed/kubernetes.sh), applied with real Terraform as the e2e test applies it
// (tests/e2e/kubernetes/support.ts): pod created → agent connected,
//   cold  first start: empty DinD data volume (only the base image), the builder clones and builds
//         the devcontainer (tests/support/fixtures/builder-repo) in DinD
//   warm  the workspace stopped (Deployment gone, PVCs kept) and started again: a new pod, the same
//         inner Docker data and checkout
// "Pod created" is the moment the pod's sandbox runs; "agent connected" the fake agent's first call
// to the Coder stand-in (reached from the pod through the loopback relay). RUNS (default 3) cold +
// warm pairs, each on fresh volumes; medians, with the machine's load average for each run.
// Starts the cluster when it is not running, and stops it again at the end in that case. Run through
// tests/support/run-ts.mjs, which loads the TypeScript test support it shares with the e2e test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureRemote } from '../../../tests/e2e/builder/support.js';
import {
  applyTransition,
  builderImageTrusting,
  builderStatus,
  createWorkspaceVolumes,
  gitTls,
  prepareTemplate,
  terraform,
  waitFor,
  workspacePod,
  workspaceTerraformEnv,
} from '../../../tests/e2e/kubernetes/support.js';
import { startCoderStandin } from '../../../tests/support/coder-standin/index.js';
import { startGitServer } from '../../../tests/support/git-server/index.js';
import { kubectl, kubectlRun, loadImage, startCluster, stopCluster } from '../../../tests/support/kubernetes.js';
import { exposeToPod } from '../../../tests/support/pod-loopback/index.js';
import { ensureDocker, runTestbed, terraformCliConfig } from '../../../tests/support/testbed.js';

const RUNS = Number(process.env.RUNS ?? 3);
const NS = 'dck-bench-k8s';
const LABEL = 'kubernetes-bench';
const WORKSPACE_ID = '0b7e5a4c-3d2f-4e1a-9b8c-7d6e5f4a3b2c';
const NAME = `coder-${WORKSPACE_ID}`;
const AGENT_TOKEN = crypto.randomUUID();
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
const cache = process.env.DCK_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'devcontainer-kit');
const load = () => loadavg()[0].toFixed(2);
const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());

/** A test bed step that failed: say what is missing and how to get it, then stop. */
function need(what, step) {
  try {
    return step();
  } catch (error) {
    process.stderr.write(
      `kubernetes bench: ${what} is not available (${error.message.split('\n')[0]}).\nSet the test bed up first: bash tests/testbed/setup.sh (Kubernetes: bash tests/testbed/kubernetes.sh start).\n`,
    );
    process.exit(1);
  }
}

need('the Docker engine with local/debian:bookworm', () => ensureDocker());
const sourceBuilderImage = need('the builder image (tests/testbed/builder-image.sh)', () => runTestbed('builder-image'));
const dindImage = need('the DinD image (tests/testbed/dind-image.sh)', () => runTestbed('dind-image'));
const agentBinary = need('the fake Coder agent (tests/testbed/fake-coder-agent.sh)', () => runTestbed('fake-coder-agent'));
const cliConfig = need('the Terraform providers (tests/testbed/terraform-providers.sh)', () => terraformCliConfig());
const cluster = need('the Kubernetes cluster (tests/testbed/kubernetes.sh)', () => startCluster());
const startedCluster = cluster.startupSeconds !== null;

const root = mkdtempSync(join(tmpdir(), 'dck-bench-k8s-'));
let gitServer;
let standin;
let relay;
let work;
let tfEnv;
let applied = false;
const seenSandboxes = new Set();

function cleanupNamespace() {
  kubectlRun(cluster, ['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s']);
  kubectlRun(cluster, ['delete', 'pv', '-l', `devcontainer-kit.test=${LABEL}`, '--ignore-not-found', '--wait=true']);
}

let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  if (applied && work && tfEnv) await terraform(work, ['destroy', '-auto-approve'], { ...tfEnv, CODER_WORKSPACE_TRANSITION: 'stop' });
  await relay?.close();
  cleanupNamespace();
  if (startedCluster) stopCluster();
  await standin?.close();
  await gitServer?.close();
  rmSync(root, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    process.stderr.write(`kubernetes bench: ${signal}, cleaning up\n`);
    cleanUp().finally(() => process.exit(130));
  });

const runs = [];
const t0 = Date.now();

try {
  const tls = gitTls(cache);
  const builderImage = builderImageTrusting(sourceBuilderImage, tls.ca, root);
  loadImage(builderImage);
  // The rendered Deployment runs `docker:28-dind` unchanged: the test bed's DinD image goes by that name too.
  loadImage(dindImage, 'docker.io/library/docker:28-dind');
  createFixtureRemote(root);
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  const gitPort = Number(new URL(gitServer.url).port);
  const services = [{ port: standin.port }, { port: gitPort, tls: { key: tls.key, cert: tls.cert } }];
  tfEnv = workspaceTerraformEnv({
    cluster,
    cliConfig,
    namespace: NS,
    workspaceId: WORKSPACE_ID,
    agentUrl: standin.url,
    agentToken: AGENT_TOKEN,
    gitToken: GIT_TOKEN,
    repoUrl: `https://127.0.0.1:${gitPort}/fixture.git`,
    branch: 'main',
    builderImage,
  });
  work = join(root, 'template');
  prepareTemplate(work, tfEnv);

  /** Start transition; seconds from the pod's sandbox running to the agent's next call; then waits for supervision. */
  const start = async () => {
    const calls = standin.agentCalls().length;
    applied = true;
    const { podAt } = await applyTransition({
      cluster,
      work,
      env: tfEnv,
      namespace: NS,
      transition: 'start',
      seenSandboxes,
      onSandbox: async (pid) => {
        await relay?.close();
        relay = await exposeToPod({ pid, services });
      },
    });
    const agentAt = await waitFor(
      'the agent to connect to the Coder stand-in',
      () => (standin.agentCalls().length > calls ? Date.now() : undefined),
      900_000,
      50,
    );
    const pod = workspacePod(cluster, NS, NAME);
    await waitFor('the builder to supervise', () => builderStatus(cluster, NS, pod)?.phase === 'supervise' || undefined, 300_000);
    return (agentAt - podAt) / 1000;
  };

  for (let i = 1; i <= RUNS; i++) {
    cleanupNamespace();
    kubectl(cluster, ['create', 'namespace', NS]);
    createWorkspaceVolumes({ cluster, dir: join(root, `run-${i}`), namespace: NS, name: NAME, dindImage, label: LABEL });
    const loadStart = load();
    const coldS = await start();
    const loadCold = load();
    await applyTransition({ cluster, work, env: tfEnv, namespace: NS, transition: 'stop', seenSandboxes });
    await waitFor('the pod to go', () => kubectl(cluster, ['get', 'pods', '-n', NS, '-o', 'name']) === '' || undefined, 180_000);
    const warmS = await start();
    const loadWarm = load();
    const destroyed = await terraform(work, ['destroy', '-auto-approve'], { ...tfEnv, CODER_WORKSPACE_TRANSITION: 'stop' });
    if (destroyed.status !== 0) throw new Error(`terraform destroy failed:\n${destroyed.stdout}\n${destroyed.stderr}`);
    applied = false;
    runs.push({ coldS, warmS, loadStart, loadCold, loadWarm });
    process.stderr.write(
      `run ${i}/${RUNS}: cold ${coldS.toFixed(1)} s (load ${loadCold}), warm ${warmS.toFixed(1)} s (load ${loadWarm})\n`,
    );
  }
} finally {
  await cleanUp();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cold = median(runs.map((r) => r.coldS));
const warm = median(runs.map((r) => r.warmS));
console.log(
  `\nKubernetes bench: coder-devcontainer-kubernetes on the test bed's one-node cluster (v1.35, containerd, DinD), fixture tests/support/fixtures/builder-repo, median of ${RUNS}, ${cores} cores, cluster ${startedCluster ? `started for the bench in ${cluster.startupSeconds} s` : 'already running'}\n`,
);
console.log('| pod created → agent connected | median | runs (load average, 1 min) |');
console.log('|---|---|---|');
console.log(
  `| cold (first start, image built in DinD) | ${cold.toFixed(1)} s | ${runs.map((r) => `${r.coldS.toFixed(1)} s (${r.loadCold})`).join(', ')} |`,
);
console.log(
  `| warm (stopped, started: new pod, PVCs kept) | ${warm.toFixed(1)} s | ${runs.map((r) => `${r.warmS.toFixed(1)} s (${r.loadWarm})`).join(', ')} |`,
);
console.log(
  `\nload average at each run's start: ${runs.map((r) => r.loadStart).join(', ')}; bench took ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
