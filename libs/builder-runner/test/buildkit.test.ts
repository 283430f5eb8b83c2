// Pure: DEVCONTAINER_CACHE_TO on each builder, and BuildKit's progress read from the CLI's log.
import { describe, expect, it } from 'vitest';
import { createBuildProgress, dockerfileSyntax, needsLegacyBuilder, planCacheTo, registryCacheRef } from '../src/buildkit.js';

const dockerDriver = { version: 'v0.38.2', driver: 'docker' };

describe('registryCacheRef', () => {
  it('takes the ref of a registry export, or a plain image reference', () => {
    expect(registryCacheRef('type=registry,ref=127.0.0.1:5127/app/cache:main,mode=max')).toBe('127.0.0.1:5127/app/cache:main');
    expect(registryCacheRef('127.0.0.1:5127/app/cache:main')).toBe('127.0.0.1:5127/app/cache:main');
    expect(registryCacheRef('type=local,dest=/tmp/cache')).toBeUndefined();
    expect(registryCacheRef('type=inline')).toBeUndefined();
  });
});

describe('planCacheTo', () => {
  it('turns a registry export on the docker driver into inline cache plus a push of the image', () => {
    expect(planCacheTo({ cacheTo: 'type=registry,ref=r.example/a:c', buildx: dockerDriver, compose: false })).toMatchObject({
      cliCacheTo: 'type=inline',
      pushRef: 'r.example/a:c',
    });
  });
  it('passes the setting on to drivers that export cache themselves', () => {
    const plan = planCacheTo({
      cacheTo: 'type=registry,ref=r.example/a:c',
      buildx: { version: 'v0.38.2', driver: 'docker-container' },
      compose: false,
    });
    expect(plan).toEqual({ cliCacheTo: 'type=registry,ref=r.example/a:c' });
  });
  it('says that the legacy builder exports nothing, and that compose configs take no --cache-to', () => {
    expect(planCacheTo({ cacheTo: 'type=inline', buildx: undefined, compose: false }).note).toMatch(/needs buildx/);
    const compose = planCacheTo({ cacheTo: 'type=registry,ref=r/a:c', buildx: dockerDriver, compose: true });
    expect(compose.cliCacheTo).toBeUndefined();
    expect(compose.note).toMatch(/Docker Compose/);
  });
  it('is empty without a setting', () => {
    expect(planCacheTo({ cacheTo: undefined, buildx: dockerDriver, compose: false })).toEqual({});
  });
});

describe('createBuildProgress', () => {
  it('counts Dockerfile steps run and cached (FROM and internal steps not), and the image of each build', () => {
    const p = createBuildProgress();
    p.push(
      'Run: docker buildx build --load --build-arg BUILDKIT_INLINE_CACHE=1 -f /tmp/x/Dockerfile-with-features -t vsc-app-123 --target t /ws/.devcontainer',
    );
    p.push('#1 [internal] load build definition from Dockerfile-with-features\n#1 DONE 0.0s\n');
    p.push('#8 [dev_container_auto_added_stage_label 1/4] FROM docker.io/local/debian:bookworm\n#8 CACHED');
    p.push('#10 [dev_container_auto_added_stage_label 2/4] RUN --mount=type=cache,target=/c true\n#10 CACHED\n');
    p.push('#11 [dev_container_auto_added_stage_label 3/4] COPY --link a /a\n#11 DONE 0.1s');
    p.push('#12 [dev_container_auto_added_stage_label 4/4] RUN echo hi\n#12 0.2 hi\n#12 DONE 0.3s');
    // The CLI logs the command again when it ends: the same build, not a second one.
    p.push(
      'Run: docker buildx build --load --build-arg BUILDKIT_INLINE_CACHE=1 -f /tmp/x/Dockerfile-with-features -t vsc-app-123 --target t /ws/.devcontainer',
    );
    expect(p).toMatchObject({ built: 2, cached: 1, images: ['vsc-app-123'] });
    // A second build (the -uid image) numbers its steps from #1 again.
    p.push('Run: docker buildx build --load -f /tmp/x/updateUID.Dockerfile -t vsc-app-123-uid /tmp/x');
    p.push('#5 [2/3] RUN eval $(sed ...)\n#5 CACHED\n#6 [3/3] RUN chmod\n#6 DONE 0.1s');
    expect(p).toMatchObject({ built: 3, cached: 2, images: ['vsc-app-123', 'vsc-app-123-uid'] });
  });
  it('leaves the legacy builder output alone', () => {
    const p = createBuildProgress();
    p.push('Step 2/4 : RUN echo hi\n ---> Running in 0123456789ab\n ---> Using cache');
    expect(p).toMatchObject({ built: 0, cached: 0, images: [] });
  });
});

describe('needsLegacyBuilder', () => {
  it('is true only for engines before 23 with features and no # syntax= of the user', () => {
    expect(needsLegacyBuilder({ engineVersion: '20.10.24+dfsg1', hasFeatures: true, userSyntax: undefined })).toBe(true);
    expect(needsLegacyBuilder({ engineVersion: '20.10.24+dfsg1', hasFeatures: true, userSyntax: 'docker/dockerfile:1.7' })).toBe(false);
    expect(needsLegacyBuilder({ engineVersion: '20.10.24+dfsg1', hasFeatures: false, userSyntax: undefined })).toBe(false);
    expect(needsLegacyBuilder({ engineVersion: '28.2.2', hasFeatures: true, userSyntax: undefined })).toBe(false);
    expect(needsLegacyBuilder({ engineVersion: undefined, hasFeatures: true, userSyntax: undefined })).toBe(false);
  });
  it('reads the syntax directive from the leading comments only', () => {
    expect(dockerfileSyntax('# syntax=docker/dockerfile:1.7\nFROM x')).toBe('docker/dockerfile:1.7');
    expect(dockerfileSyntax('\n# comment\n#syntax = r.example/df:1\nFROM x')).toBe('r.example/df:1');
    expect(dockerfileSyntax('FROM x\n# syntax=docker/dockerfile:1.7')).toBeUndefined();
  });
});
