// The kubectl-dind transport: a devcontainer run by the Docker daemon inside a pod's DinD container.
// The command line and the parsing are checked here; the e2e test on the test bed's Kubernetes node
// (tests/e2e/kubernetes) runs goss through it for real.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../src/command.js';
import { formatTarget, parseTarget } from '../src/target.js';
import { createTransport, DEFAULT_DIND_HOST, kubectlDindRemoteEnv } from '../src/transport.js';

describe('kubectl-dind target', () => {
  it('parses namespace/pod/dind-container/devcontainer and formats back', () => {
    const t = parseTarget('kubectl-dind:coder-ws/coder-0d7a-5f9c/dind/4f1e2d3c');
    expect(t).toEqual({ kind: 'kubectl-dind', namespace: 'coder-ws', pod: 'coder-0d7a-5f9c', container: 'dind', devcontainer: '4f1e2d3c' });
    expect(formatTarget(t)).toBe('kubectl-dind:coder-ws/coder-0d7a-5f9c/dind/4f1e2d3c');
  });

  it.each([
    'kubectl-dind:ns/pod/dind',
    'kubectl-dind:ns/pod',
    'kubectl-dind:ns/pod/dind/dev/extra',
    'kubectl-dind:ns/pod//dev',
    'kubectl-dind:ns/pod/dind/-rm',
  ])('refuses %s with the expected shape in the message', (spec) => {
    expect(() => parseTarget(spec)).toThrow(/namespace\/pod\/dind-container\/devcontainer/);
  });
});

describe('kubectl-dind transport', () => {
  it('execs into the DinD container, then docker exec into the devcontainer as the user', () => {
    const t = createTransport('kubectl-dind:team-a/ws-pod/dind/devc1', { user: 'dev', kubeContext: 'node1' });
    expect(t.name).toBe('kubectl-dind:team-a/ws-pod/dind/devc1');
    expect(t.argv('id -un')).toEqual([
      'kubectl',
      '--context',
      'node1',
      'exec',
      '-i',
      '-n',
      'team-a',
      'ws-pod',
      '-c',
      'dind',
      '--',
      'docker',
      '--host',
      DEFAULT_DIND_HOST,
      'exec',
      '-i',
      '-u',
      'dev',
      'devc1',
      'sh',
      '-c',
      'id -un',
    ]);
  });

  it('uses the given socket and kubectl, and no -u without a user', () => {
    const argv = createTransport('kubectl-dind:ns/p/sidecar/c', {
      dindHost: 'unix:///run/dind/docker.sock',
      kubectl: '/opt/k/kubectl',
    }).argv('true');
    expect(argv.slice(0, 1)).toEqual(['/opt/k/kubectl']);
    expect(argv).toContain('unix:///run/dind/docker.sock');
    expect(argv).not.toContain('-u');
    expect(argv.slice(-4)).toEqual(['c', 'sh', '-c', 'true']);
  });

  it('passes stdin through', async () => {
    const calls: { args: string[]; options: Parameters<CommandRunner>[2] }[] = [];
    const runner: CommandRunner = async (_file, args, options) => {
      calls.push({ args, options });
      return { exitCode: 0, stdout: 'ok', stderr: '', durationMs: 1 };
    };
    const r = await createTransport('kubectl-dind:ns/p/dind/c', { runner }).exec('cat', { input: 'goss file', timeoutMs: 5000 });
    expect(r.stdout).toBe('ok');
    expect(calls[0]?.options).toMatchObject({ input: 'goss file', timeoutMs: 5000 });
    expect(calls[0]?.args.at(-1)).toBe('cat');
  });

  it('sends the environment as lines on stdin that the script exports, never on a command line', async () => {
    const calls: { args: string[]; options: Parameters<CommandRunner>[2] }[] = [];
    const runner: CommandRunner = async (_file, args, options) => {
      calls.push({ args, options });
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
    };
    await createTransport('kubectl-dind:ns/p/dind/c', { runner }).exec('goss validate', { env: { TOKEN: 'hunter2', GREETING: 'a b=c' } });
    expect(calls[0]?.options?.input).toBe('TOKEN=hunter2\nGREETING=a b=c\n');
    expect(calls[0]?.options?.env).toBeUndefined();
    expect(calls[0]?.args.join(' ')).not.toContain('hunter2');
    // The exported lines really become the environment of the script (run here by sh).
    const script = calls[0]?.args.at(-1) as string;
    const out = execFileSync('sh', ['-c', script.replace('goss validate', 'echo "$TOKEN|$GREETING"')], {
      input: calls[0]?.options?.input,
      encoding: 'utf8',
    });
    expect(out).toBe('hunter2|a b=c\n');
  });

  it('refuses env together with stdin input, and values with newlines', async () => {
    const t = createTransport('kubectl-dind:ns/p/dind/c', { runner: async () => ({ exitCode: 0, stdout: '', stderr: '', durationMs: 1 }) });
    await expect(t.exec('cat', { input: 'x', env: { A: '1' } })).rejects.toThrow(/cannot be combined/);
    await expect(t.exec('true', { env: { A: 'two\nlines' } })).rejects.toThrow(/A holds a newline/);
  });

  it('reads the devcontainer remoteEnv through kubectl exec + docker inspect', async () => {
    const calls: { file: string; args: string[] }[] = [];
    const runner: CommandRunner = async (file, args) => {
      calls.push({ file, args });
      const config = {
        Env: ['HOME=/home/dev'],
        Labels: { 'devcontainer.metadata': JSON.stringify([{ remoteEnv: { FIXTURE: 'v', WHERE: '${containerEnv:HOME}/x' } }]) },
      };
      return { exitCode: 0, stdout: JSON.stringify(config), stderr: '', durationMs: 1 };
    };
    const target = parseTarget('kubectl-dind:ns/p/dind/c1');
    if (target.kind !== 'kubectl-dind') throw new Error('unreachable');
    expect(await kubectlDindRemoteEnv(target, { runner, kubectl: 'kc' })).toEqual({ FIXTURE: 'v', WHERE: '/home/dev/x' });
    expect(calls[0]?.file).toBe('kc');
    expect(calls[0]?.args).toEqual([
      'exec',
      '-n',
      'ns',
      'p',
      '-c',
      'dind',
      '--',
      'docker',
      '--host',
      DEFAULT_DIND_HOST,
      'inspect',
      '--format',
      '{{json .Config}}',
      'c1',
    ]);
  });
});
