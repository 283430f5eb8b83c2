// Builds the benchmark corpus: N workspaces, each with a typical .devcontainer/devcontainer.json of 1–5 KB
// (comments, features, lifecycle hooks, customizations, variables), deterministic for a given N.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EXTENSIONS = [
  'dbaeumer.vscode-eslint',
  'esbenp.prettier-vscode',
  'ms-python.python',
  'golang.go',
  'rust-lang.rust-analyzer',
  'redhat.vscode-yaml',
  'ms-azuretools.vscode-docker',
  'eamodio.gitlens',
  'github.vscode-pull-request-github',
  'streetsidesoftware.code-spell-checker',
];
const FEATURES = [
  'ghcr.io/devcontainers/features/node:1',
  'ghcr.io/devcontainers/features/python:1',
  'ghcr.io/devcontainers/features/go:1',
  'ghcr.io/devcontainers/features/docker-in-docker:2',
  'ghcr.io/devcontainers/features/github-cli:1',
  'ghcr.io/devcontainers/features/common-utils:2',
];

/** A typical config whose size grows with `size` (0..1). */
export function typicalConfig(i, size) {
  const nExt = 2 + Math.round(size * 8);
  const nEnv = 2 + Math.round(size * 36);
  const nSettings = 2 + Math.round(size * 40);
  const lines = [
    '// Generated for the devcontainer-config benchmark.',
    '{',
    `  "name": "project-${i} (\${localWorkspaceFolderBasename})",`,
    i % 3 === 0
      ? '  "build": { "dockerfile": "Dockerfile", "context": "..", "args": { "VARIANT": "bookworm", "USER": "${localEnv:USER:dev}" } },'
      : '  "image": "local/debian:bookworm",',
    '  "runArgs": ["--network=host", "--cap-add=SYS_PTRACE"],',
    '  "features": {',
    FEATURES.slice(0, 1 + (i % FEATURES.length))
      .map((f, k) => `    "${f}": { "version": "${k + 1}" }`)
      .join(',\n'),
    '  },',
    '  "overrideFeatureInstallOrder": ["ghcr.io/devcontainers/features/node"],',
    '  "forwardPorts": [3000, 5432, "db:5432"],',
    '  "portsAttributes": { "3000": { "label": "web", "onAutoForward": "notify" } },',
    '  "containerEnv": {',
    Array.from({ length: nEnv }, (_, k) => `    "VAR_${k}": "value-${k}-\${localEnv:HOME}"`).join(',\n'),
    '  },',
    '  "remoteEnv": { "PATH": "${containerEnv:PATH}:/opt/bin", "WS": "${containerWorkspaceFolder}" },',
    '  "mounts": ["source=cache-${devcontainerId},target=/cache,type=volume", { "type": "bind", "source": "${localWorkspaceFolder}/.ssh", "target": "/root/.ssh" }],',
    '  "remoteUser": "root",',
    '  /* lifecycle */',
    '  "onCreateCommand": "echo created",',
    '  "postCreateCommand": ["bash", "-lc", "npm ci"],',
    '  "postStartCommand": { "server": "npm run dev", "watch": ["npm", "run", "watch"] },',
    '  "waitFor": "postCreateCommand",',
    '  "hostRequirements": { "cpus": 2, "memory": "8gb", "storage": "32gb" },',
    '  "customizations": {',
    '    "vscode": {',
    `      "extensions": [${EXTENSIONS.slice(0, Math.min(nExt, EXTENSIONS.length))
      .map((e) => `"${e}"`)
      .join(', ')}],`,
    '      "settings": {',
    Array.from({ length: nSettings }, (_, k) => `        "editor.setting${k}": ${k % 2 ? 'true' : `"value ${k}"`}`).join(',\n'),
    '      }',
    '    },',
    '    "coder": { "apps": [{ "slug": "web", "url": "http://localhost:3000" }] }',
    '  },',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** Write `n` workspaces under `dir`; returns their folders. */
export function writeCorpus(dir, n) {
  const folders = [];
  for (let i = 0; i < n; i++) {
    const ws = join(dir, `ws-${String(i).padStart(3, '0')}`);
    mkdirSync(join(ws, '.devcontainer'), { recursive: true });
    writeFileSync(join(ws, '.devcontainer/devcontainer.json'), typicalConfig(i, (i % 10) / 9));
    writeFileSync(join(ws, '.devcontainer/Dockerfile'), 'FROM local/debian:bookworm\n');
    folders.push(ws);
  }
  return folders;
}
