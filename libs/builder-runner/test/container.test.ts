// Real: the test bed's Docker engine. inspectContainer answers the same through the Engine API (the
// default socket) as through the docker CLI (forced by a DOCKER_CONTEXT), and warmStart starts a
// stopped container through it.
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, runTestbed } from '../../../tests/support/testbed.js';
import { inspectContainer } from '../src/container.js';
import { warmStart } from '../src/phases/warm-start.js';
import { memoryLog } from './phases/fake-docker.js';

let id: string;
const api = createDockerContext({ env: { PATH: process.env.PATH, HOME: process.env.HOME } });
const cli = createDockerContext({ env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_CONTEXT: 'default' } });

beforeAll(() => {
  runTestbed('docker');
  id = docker(['create', '--network', 'none', '--label', 'dck.test=container', '-e', 'A=1', 'local/debian:bookworm', 'sleep', 'infinity']);
}, 300_000);
afterAll(() => {
  if (id) docker(['rm', '-f', id]);
});

describe('inspectContainer and warmStart over the Engine API', () => {
  it('inspects the same as the CLI, starts a stopped container, and says a missing one is missing', async () => {
    const [a, c] = await Promise.all([inspectContainer(api, id), inspectContainer(cli, id)]);
    expect(a).toEqual(c);
    expect(a).toMatchObject({ id, running: false, imageName: 'local/debian:bookworm', labels: { 'dck.test': 'container' } });
    expect(a?.env).toContain('A=1');
    expect(await inspectContainer(api, 'dck-no-such-container')).toBeUndefined();

    const log = memoryLog();
    const started = await warmStart(
      { docker: api, log } as never,
      { containerId: id, running: false, labels: {}, result: { outcome: 'success' } } as never,
    );
    expect(started).toBe(true);
    expect(docker(['inspect', '--format', '{{.State.Running}}', id])).toBe('true');
    const missing = await warmStart(
      { docker: api, log } as never,
      { containerId: 'dck-no-such-container', running: false, labels: {}, result: { outcome: 'success' } } as never,
    );
    expect(missing).toBe(false);
    expect(log.text()).toMatch(/docker start dck-no-such- failed \(No such container: dck-no-such-container\): running devcontainer up/);
  }, 60_000);
});
