import { S, type Schema } from './schema.js';

/** Lifecycle command: string (shell), array of strings (exec) or object of named parallel commands. */
export const lifecycleCommandSchema: Schema = S.union(S.str(), S.arr(S.str()), S.map(S.union(S.str(), S.arr(S.str()))));

const PORT_PATTERN = /^([a-z0-9-]+):(\d{1,5})$/;
const portSchema: Schema = S.union(
  S.int({ min: 0, max: 65535 }),
  S.str({ pattern: PORT_PATTERN, format: 'a port number, or "host:port" as a string' }),
);

const portAttributes: Schema = S.obj({
  label: S.str(),
  onAutoForward: S.str({ enum: ['notify', 'openBrowser', 'openBrowserOnce', 'openPreview', 'silent', 'ignore'] }),
  elevateIfNeeded: S.bool(),
  requireLocalPort: S.bool(),
  protocol: S.str({ enum: ['http', 'https'] }),
});

const SIZE = { pattern: /^\d+([tgmk]b)?$/i, format: 'a size such as "4gb", "512mb" or a number of bytes' } as const;

export const mountObjectSchema: Schema = S.obj(
  {
    type: S.str({ enum: ['bind', 'volume'] }),
    source: S.str(),
    target: S.str(),
  },
  { required: ['type', 'target'] },
);

const stringMap = S.map(S.str());

export const buildSchema: Schema = S.obj(
  {
    dockerfile: S.str(),
    context: S.str(),
    args: stringMap,
    target: S.str(),
    cacheFrom: S.union(S.str(), S.arr(S.str())),
    options: S.arr(S.str()),
  },
  {},
);

/** Every top-level property of devcontainer.json (image, Dockerfile and Compose configurations). */
export const devcontainerProperties: Record<string, Schema> = {
  $schema: S.str(),
  name: S.str(),
  // Image / Dockerfile
  image: S.str(),
  build: buildSchema,
  dockerFile: S.deprecated(S.str(), 'use "build.dockerfile"'),
  context: S.deprecated(S.str(), 'use "build.context"'),
  appPort: S.union(S.int({ min: 0, max: 65535 }), S.str(), S.arr(S.union(S.int({ min: 0, max: 65535 }), S.str()))),
  runArgs: S.arr(S.str()),
  workspaceMount: S.str(),
  workspaceFolder: S.str(),
  // Compose
  dockerComposeFile: S.union(S.str(), S.arr(S.str())),
  service: S.str(),
  runServices: S.arr(S.str()),
  // General
  // Array option values are accepted (the devcontainer CLI joins them with commas; validate warns).
  features: S.map(
    S.union(S.obj({}, { additional: S.union(S.str(), S.bool(), S.num(), S.arr(S.union(S.str(), S.bool(), S.num()))) }), S.str(), S.bool()),
  ),
  overrideFeatureInstallOrder: S.arr(S.str()),
  forwardPorts: S.arr(portSchema),
  portsAttributes: S.map(portAttributes),
  otherPortsAttributes: portAttributes,
  containerEnv: stringMap,
  remoteEnv: S.map(S.union(S.str(), S.nul())),
  containerUser: S.str(),
  remoteUser: S.str(),
  updateRemoteUserUID: S.bool(),
  userEnvProbe: S.str({ enum: ['none', 'loginShell', 'loginInteractiveShell', 'interactiveShell'] }),
  overrideCommand: S.bool(),
  shutdownAction: S.str({ enum: ['none', 'stopContainer', 'stopCompose'] }),
  init: S.bool(),
  privileged: S.bool(),
  capAdd: S.arr(S.str()),
  securityOpt: S.arr(S.str()),
  mounts: S.arr(S.union(S.str(), mountObjectSchema)),
  hostRequirements: S.obj({
    cpus: S.int({ min: 1 }),
    memory: S.str(SIZE),
    storage: S.str(SIZE),
    gpu: S.union(S.bool(), S.str({ enum: ['optional'] }), S.obj({ cores: S.int({ min: 1 }), memory: S.str(SIZE) })),
  }),
  secrets: S.map(S.obj({ description: S.str(), documentationUrl: S.str() })),
  customizations: S.map(S.any()),
  initializeCommand: lifecycleCommandSchema,
  onCreateCommand: lifecycleCommandSchema,
  updateContentCommand: lifecycleCommandSchema,
  postCreateCommand: lifecycleCommandSchema,
  postStartCommand: lifecycleCommandSchema,
  postAttachCommand: lifecycleCommandSchema,
  waitFor: S.str({ enum: ['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand'] }),
  // Deprecated VS Code properties (moved under customizations.vscode).
  extensions: S.deprecated(S.arr(S.str()), 'use "customizations.vscode.extensions"'),
  settings: S.deprecated(S.map(S.any()), 'use "customizations.vscode.settings"'),
  devPort: S.deprecated(S.int(), 'no longer used by any supporting tool'),
};

export const devcontainerSchema: Schema = S.obj(devcontainerProperties);

/** customizations.vscode and customizations.coder, checked when present. */
export const vscodeCustomizationSchema: Schema = S.obj(
  { extensions: S.arr(S.str()), settings: S.map(S.any()), mcp: S.any() },
  { additional: S.any() },
);

export const coderCustomizationSchema: Schema = S.obj(
  {
    apps: S.arr(S.map(S.any())),
    scripts: S.arr(S.map(S.any())),
    displayApps: S.map(S.bool()),
    name: S.str(),
    ignore: S.bool(),
    autoStart: S.bool(),
  },
  { additional: S.any() },
);
