// Pure: init-script rewriting, architecture names, the binary-mode start script.
import { describe, expect, it } from 'vitest';
import { binaryStartScript, coderArch, initScriptAuthType, rewriteInitScript } from '../src/init-script.js';

const script =
  'BINARY_URL=https://coder.example.com/bin/coder-linux-amd64\nexport CODER_AGENT_AUTH="token"\nexport CODER_AGENT_URL="https://coder.example.com/"\n# https://coder.example.com.evil/ stays\n';

describe('init script', () => {
  it('rewrites the access URL everywhere, and nothing that merely starts like it', () => {
    const out = rewriteInitScript(script, { from: 'https://coder.example.com/', to: 'http://coder.coder.svc:7080/' });
    expect(out).toContain('BINARY_URL=http://coder.coder.svc:7080/bin/coder-linux-amd64');
    expect(out).toContain('CODER_AGENT_URL="http://coder.coder.svc:7080/"');
    expect(out).toContain('https://coder.example.com.evil/');
  });
  it('leaves the script alone when the URLs are equal', () => {
    expect(rewriteInitScript(script, { from: 'https://coder.example.com/', to: 'https://coder.example.com/' })).toBe(script);
  });
  it('reads the auth type', () => {
    expect(initScriptAuthType(script)).toBe('token');
    expect(initScriptAuthType('export CODER_AGENT_AUTH="google-instance-identity"')).toBe('google-instance-identity');
    expect(initScriptAuthType(undefined)).toBe('token');
  });
  it('maps uname -m to Coder architectures', () => {
    expect(coderArch('x86_64\n')).toBe('amd64');
    expect(coderArch('aarch64')).toBe('arm64');
    expect(coderArch('armv7l')).toBe('armv7');
    expect(coderArch('s390x')).toBeUndefined();
  });
  it('writes a start script with the same env and no token', () => {
    const s = binaryStartScript({ agentUrl: "http://x/'q", authType: 'token', binaryPath: '/tmp/.devcontainer-builder/coder' });
    expect(s).toContain("export CODER_AGENT_URL='http://x/'\\''q'");
    expect(s).toContain("exec '/tmp/.devcontainer-builder/coder' agent");
    expect(s).not.toMatch(/TOKEN/);
  });
});
