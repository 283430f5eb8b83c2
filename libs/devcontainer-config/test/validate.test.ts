// Pure logic: one test (or more) per validation rule, each checking the code and the line:column reported.
import { describe, expect, it } from 'vitest';
import { parseDevcontainer, validateDevcontainer } from '../src/index.js';
import { problemsOf, withCode } from './support/helpers.js';

const img = '"image": "x"';

describe('validateDevcontainer: types and enums', () => {
  it('accepts a complete valid config without problems', () => {
    const text = `{
      ${img}, "name": "n", "forwardPorts": [3000, "db:5432"], "portsAttributes": {"3000": {"label": "w", "onAutoForward": "silent", "protocol": "https", "elevateIfNeeded": true, "requireLocalPort": false}},
      "otherPortsAttributes": {"onAutoForward": "ignore"}, "containerEnv": {"A": "1"}, "remoteEnv": {"B": null}, "containerUser": "u", "remoteUser": "u",
      "updateRemoteUserUID": true, "userEnvProbe": "loginInteractiveShell", "overrideCommand": false, "shutdownAction": "none", "init": true, "privileged": false,
      "capAdd": ["SYS_PTRACE"], "securityOpt": ["seccomp=unconfined"], "mounts": ["type=volume,source=v,target=/v", {"type": "bind", "source": "/a", "target": "/b"}],
      "hostRequirements": {"cpus": 2, "memory": "8gb", "storage": "32gb", "gpu": "optional"}, "secrets": {"TOKEN": {"description": "d", "documentationUrl": "https://x"}},
      "features": {"ghcr.io/devcontainers/features/node:1": {"version": "20"}, "ghcr.io/devcontainers/features/go@sha256:${'a'.repeat(64)}": true},
      "overrideFeatureInstallOrder": ["ghcr.io/devcontainers/features/node"], "customizations": {"vscode": {"extensions": ["a.b"], "settings": {}}, "coder": {"apps": []}, "jetbrains": {}},
      "initializeCommand": "true", "onCreateCommand": ["a", "b"], "updateContentCommand": {"x": "y", "z": ["w"]}, "postCreateCommand": "p", "postStartCommand": "s", "postAttachCommand": "a",
      "waitFor": "updateContentCommand", "runArgs": ["--network=host"], "appPort": [1, "2:2"], "workspaceFolder": "/w", "workspaceMount": "type=bind,source=/a,target=/w", "$schema": "x"
    }`;
    expect(problemsOf(text)).toEqual([]);
  });

  it('type-mismatch at the value, with the expected type', () => {
    const ps = withCode('{\n  "image": "x",\n  "privileged": "yes",\n  "runArgs": "--x"\n}', 'type-mismatch');
    expect(ps.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '3:17 privileged must be a boolean, found string',
      '4:14 runArgs must be an array of strings, found string',
    ]);
  });

  it('type-mismatch inside arrays and maps names the element', () => {
    const ps = withCode(`{${img},\n"capAdd": ["A", 3],\n"containerEnv": {"X": true}}`, 'type-mismatch');
    expect(ps.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '2:17 capAdd[1] must be a string, found integer',
      '3:23 containerEnv.X must be a string, found boolean',
    ]);
  });

  it('lifecycle commands accept string, array and object forms and reject others', () => {
    expect(problemsOf(`{${img}, "postCreateCommand": "a", "postStartCommand": ["a"], "onCreateCommand": {"x": "a", "y": ["b"]}}`)).toEqual(
      [],
    );
    const ps = withCode(`{${img},\n "postCreateCommand": 12,\n "onCreateCommand": {"x": 1}}`, 'type-mismatch');
    expect(ps.map((p) => `${p.line}:${p.column}`)).toEqual(['2:23', '3:27']);
    expect(ps[0]?.message).toBe(
      'postCreateCommand must be a string, an array of strings or an object of (strings or arrays of strings), found integer',
    );
  });

  it('invalid-enum with did-you-mean', () => {
    const [p] = withCode(`{${img},\n  "userEnvProbe": "loginShel"}`, 'invalid-enum');
    expect(p).toMatchObject({ line: 2, column: 19, severity: 'error' });
    expect(p?.message).toContain('(did you mean "loginShell"?)');
    expect(withCode(`{${img}, "waitFor": "postAttachCommand"}`, 'invalid-enum')).toHaveLength(1);
    expect(withCode(`{${img}, "portsAttributes": {"1": {"onAutoForward": "loud"}}}`, 'invalid-enum')).toHaveLength(1);
  });

  it('out-of-range and invalid-format for ports and sizes', () => {
    expect(problemsOf(`{${img},\n"forwardPorts": [70000, "not a port", -1]}`)).toEqual([
      'out-of-range@2:18',
      'invalid-format@2:25',
      'out-of-range@2:39',
    ]);
    expect(problemsOf(`{${img},\n"hostRequirements": {"cpus": 0, "memory": "4 GB"}}`)).toEqual([
      'out-of-range@2:30',
      'invalid-format@2:43',
    ]);
  });

  it('mount objects need type and target', () => {
    expect(problemsOf(`{${img},\n"mounts": [{"source": "a"}]}`)).toEqual(['missing-required@2:12', 'missing-required@2:12']);
    expect(problemsOf(`{${img},\n"mounts": [{"type": "tmpfs", "target": "/t"}]}`)).toEqual(['invalid-enum@2:21']);
  });
});

describe('validateDevcontainer: unknown, deprecated, duplicates', () => {
  it('unknown top-level property: warning at the key with did-you-mean', () => {
    const [p] = withCode(`{${img},\n  "forwardPort": [1]}`, 'unknown-property');
    expect(p).toMatchObject({ severity: 'warning', line: 2, column: 3 });
    expect(p?.message).toBe('unknown property "forwardPort" (did you mean "forwardPorts"?)');
    const [q] = withCode(`{${img}, "zzzzzzzz": 1}`, 'unknown-property');
    expect(q?.message).toBe('unknown property "zzzzzzzz"');
  });

  it('unknown nested properties (build, hostRequirements) are warned about too', () => {
    expect(withCode('{"build": {"dockerfile": "D", "dockerFile2": "x"}}', 'unknown-property')[0]?.message).toContain('build.dockerFile2');
    expect(withCode(`{${img}, "hostRequirements": {"cpu": 2}}`, 'unknown-property')[0]?.message).toContain('did you mean "cpus"');
  });

  it('deprecated properties: warning with the replacement', () => {
    const ps = withCode('{\n"dockerFile": "D",\n"context": ".",\n"extensions": [],\n"settings": {}\n}', 'deprecated-property');
    expect(ps.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '2:1 "dockerFile" is deprecated: use "build.dockerfile"',
      '3:1 "context" is deprecated: use "build.context"',
      '4:1 "extensions" is deprecated: use "customizations.vscode.extensions"',
      '5:1 "settings" is deprecated: use "customizations.vscode.settings"',
    ]);
  });

  it('duplicate keys: warning at the second key', () => {
    expect(problemsOf('{"image": "a",\n "image": "b"}')).toEqual(['duplicate-key@2:2']);
  });
});

describe('validateDevcontainer: image / Dockerfile / Compose', () => {
  it('missing-container-source at the root object', () => {
    expect(problemsOf('\n {"name": "x"}')).toEqual(['missing-container-source@2:2']);
  });

  it('conflicting-container-source at the second source', () => {
    const ps = withCode(
      '{"image": "a",\n "build": {"dockerfile": "D"},\n "dockerComposeFile": "c.yml", "service": "s"}',
      'conflicting-container-source',
    );
    expect(ps.map((p) => `${p.line}:${p.column}`)).toEqual(['2:12', '3:2']);
    expect(ps[0]?.message).toBe('use only one of "image", "build.dockerfile", "dockerComposeFile": they are alternatives');
  });

  it('build without dockerfile', () => {
    expect(problemsOf('{"build": {"context": ".."}}')).toEqual(['missing-required@1:2']);
    expect(problemsOf('{"dockerFile": "D", "build": {"args": {}}}')).toEqual(['deprecated-property@1:2']);
  });

  it('compose needs service; warns about workspaceFolder and ignored properties', () => {
    expect(problemsOf('{"dockerComposeFile": "c.yml",\n "runArgs": []}')).toEqual([
      'missing-required@1:2',
      'missing-required@1:2',
      'ignored-with-compose@2:2',
    ]);
    expect(
      problemsOf('{"dockerComposeFile": ["a.yml"], "service": "s", "workspaceFolder": "/w", "shutdownAction": "stopCompose"}'),
    ).toEqual([]);
  });

  it('compose-only properties on an image config', () => {
    expect(problemsOf(`{${img},\n "service": "s", "runServices": []}`)).toEqual([
      'compose-only-property@2:2',
      'compose-only-property@2:18',
    ]);
  });

  it('shutdownAction must fit the kind of config', () => {
    expect(problemsOf(`{${img}, "shutdownAction": "stopCompose"}`)).toEqual(['invalid-enum@1:34']);
    expect(problemsOf('{"dockerComposeFile": "a", "service": "s", "workspaceFolder": "/", "shutdownAction": "stopContainer"}')).toEqual([
      'invalid-enum@1:86',
    ]);
  });

  it('workspaceMount without workspaceFolder', () => {
    expect(problemsOf(`{${img}, "workspaceMount": "type=bind,source=/a,target=/b"}`)).toEqual(['workspace-mount-without-folder@1:16']);
  });
});

describe('validateDevcontainer: mounts, features, variables', () => {
  it('string mounts need a target and a valid type', () => {
    const ps = withCode(
      `{${img},\n"mounts": ["type=bind,source=/x", "type=nfs,target=/y", "type=bind,target=/z", "target=/ok"]}`,
      'invalid-mount',
    );
    expect(ps.map((p) => `${p.column} ${p.message}`)).toEqual([
      '12 mount "type=bind,source=/x" has no target ("target=/path")',
      '35 mount "type=nfs,target=/y": type must be "bind", "volume" or "tmpfs", found "nfs"',
      '57 bind mount "type=bind,target=/z" has no source',
    ]);
  });

  it('feature references: invalid ones are errors at the key', () => {
    const ps = withCode(
      `{${img},\n"features": {"Not A Ref!": {}, "/abs/path": {}, "http://x/devcontainer-feature-a.tgz": {}, "fish": {}}}`,
      'invalid-feature-reference',
    );
    expect(ps.map((p) => p.column)).toEqual([14, 32, 49, 92]);
    expect(ps[3]?.message).toContain('legacy feature "fish" is not supported');
    expect(ps[3]?.message).not.toContain('ghcr.io/devcontainers/features/fish');
  });

  it('accepts what the devcontainer CLI accepts: capitals in OCI ids, GitHub release references (deprecated)', () => {
    const text = `{${img},\n"features": {"GHCR.io/Org/F:1": {}, "ghcr.io/codspace/dependsOnAndInstallsAfter/a": {}, "owner/repo/feat@v1": {}, "devcontainers/features/node": {}}}`;
    expect(withCode(text, 'invalid-feature-reference')).toEqual([]);
    const deprecated = withCode(text, 'deprecated-property');
    expect(deprecated.map((p) => p.column)).toEqual([89, 115]);
    expect(deprecated[0]?.message).toContain('GitHub release reference');
  });

  it('legacy short feature ids: the CLI’s own replacements, a warning; unknown ones an error', () => {
    const ids = { node: 'node', golang: 'go', common: 'common-utils', maven: 'java' } as const;
    for (const [legacy, real] of Object.entries(ids)) {
      const [p] = withCode(`{${img}, "features": {"${legacy}": "lts"}}`, 'deprecated-property');
      expect(p?.message, legacy).toContain(`"ghcr.io/devcontainers/features/${real}:1"`);
      expect(withCode(`{${img}, "features": {"${legacy}": "lts"}}`, 'invalid-feature-reference'), legacy).toEqual([]);
    }
    expect(withCode(`{${img}, "features": {"maven": {}}}`, 'deprecated-property')[0]?.message).toContain('"installMaven": true');
    expect(withCode(`{${img}, "features": {"golang": {}}}`, 'deprecated-property')[0]?.message).not.toContain('/golang:1');
    expect(withCode(`{${img}, "features": {"Node": {}}}`, 'invalid-feature-reference')).toHaveLength(1);
  });

  it('array feature option values: accepted with a warning that says what the CLI passes, at a readable path', () => {
    const text = `{${img},\n"features": {"./dotnet": {"additionalVersions": ["8.0", "9.0"]}}}`;
    expect(withCode(text, 'type-mismatch')).toEqual([]);
    const [p] = withCode(text, 'invalid-feature-option');
    expect(p).toMatchObject({ severity: 'warning', line: 2, column: 49 });
    expect(p?.message).toBe(
      'features["./dotnet"].additionalVersions is an array: feature options are strings or booleans; the devcontainer CLI passes "8.0,9.0"',
    );
    const [bad] = withCode(`{${img},\n"features": {"./dotnet": {"x": {"y": 1}}}}`, 'type-mismatch');
    expect(bad?.message).toMatch(/^features\["\.\/dotnet"\]\.x must be /);
    expect(bad?.message).not.toContain('features../dotnet');
  });

  it('image references follow the engines’ reference grammar', () => {
    const bad = ['://microsoft.com', 'Ubuntu', 'ubuntu:', 'ubuntu:bad tag', 'a//b', 'ubuntu@sha256:xyz', '-x', ''];
    for (const image of bad) {
      const [p] = withCode(`{"image": ${JSON.stringify(image)}}`, 'invalid-image-reference');
      expect(p, image).toMatchObject({ severity: 'error', line: 1, column: 11 });
    }
    expect(withCode('{"image": "Ubuntu"}', 'invalid-image-reference')[0]?.message).toContain('lowercase');
    const good = [
      'ubuntu',
      'mcr.microsoft.com/devcontainers/base:bookworm',
      'localhost:5000/x/y:1.2-rc_3',
      'Registry.Example.com/a__b/c-d.e',
      `ghcr.io/x/y@sha256:${'a'.repeat(64)}`,
      `ghcr.io/x/y:1@sha256:${'a'.repeat(64)}`,
      '[::1]:5000/x',
      'x/${localEnv:TAG}',
    ];
    for (const image of good) expect(withCode(`{"image": ${JSON.stringify(image)}}`, 'invalid-image-reference'), image).toEqual([]);
  });

  it('overrideFeatureInstallOrder entries must be installed features', () => {
    const [p] = withCode(
      `{${img}, "features": {"ghcr.io/a/b/node:1": {}},\n"overrideFeatureInstallOrder": ["ghcr.io/a/b/node", "ghcr.io/a/b/nod"]}`,
      'unknown-feature-in-order',
    );
    expect(p).toMatchObject({ line: 2, column: 53, severity: 'warning' });
    expect(p?.message).toContain('did you mean "ghcr.io/a/b/node"');
  });

  it('unknown variables: warning at the ${ with did-you-mean', () => {
    const [p] = withCode(`{${img},\n"containerEnv": {"A": "x-\${lokalEnv:HOME}"}}`, 'unknown-variable');
    expect(p).toMatchObject({ line: 2, column: 26, severity: 'warning' });
    expect(p?.message).toContain('did you mean "localEnv"');
  });

  it('${devcontainerId} in build-time properties is an error, elsewhere fine', () => {
    expect(problemsOf('{"build": {"dockerfile": "D", "args": {"X": "${devcontainerId}"}}}')).toEqual([
      'devcontainer-id-at-build-time@1:46',
    ]);
    expect(
      problemsOf(`{${img}, "mounts": ["source=v-\${devcontainerId},target=/v,type=volume"], "containerEnv": {"I": "\${devcontainerId}"}}`),
    ).toEqual([]);
  });

  it('${containerEnv:…} outside remoteEnv is a warning; localEnv needs a name', () => {
    expect(problemsOf(`{${img}, "remoteEnv": {"P": "\${containerEnv:PATH}"}, "containerEnv": {"P": "\${containerEnv:PATH}"}}`)).toEqual([
      'container-env-outside-remote-env@1:83',
    ]);
    expect(problemsOf(`{${img}, "containerEnv": {"P": "\${localEnv}"}}`)).toEqual(['invalid-variable@1:39']);
    expect(withCode(`{${img}, "containerEnv": {"P": "\${localEnv:U:http://x}"}}`, 'invalid-variable')[0]?.severity).toBe('warning');
  });

  it('checks customizations.vscode and customizations.coder shapes', () => {
    expect(problemsOf(`{${img},\n"customizations": {"vscode": {"extensions": "a.b"}, "coder": {"apps": {}}}}`)).toEqual([
      'type-mismatch@2:45',
      'type-mismatch@2:71',
    ]);
  });

  it('returns all problems, parse errors included', () => {
    const r = parseDevcontainer('{"image": 1, "name": 2,, "init": "x"}', { file: 'f' });
    const ps = validateDevcontainer(r);
    expect(ps.map((p) => p.code)).toEqual(['type-mismatch', 'type-mismatch', 'json-syntax', 'json-syntax', 'type-mismatch']);
  });
});
