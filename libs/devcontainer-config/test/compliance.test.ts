// Pure logic: the compliance report and the table (the README table is generated from the same data).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { devcontainerProperties } from '../src/devcontainer-schema.js';
import { COMPLIANCE_TABLE, complianceReport, parseDevcontainer } from '../src/index.js';

describe('complianceReport', () => {
  it('lists every property and variable the config uses, with position, status and note', () => {
    const text =
      '{\n "image": "x",\n "build": {"args": {}},\n "shutdownAction": "none",\n "customizations": {"vscode": {"extensions": []}, "jetbrains": {}},\n "mystery": 1,\n "containerEnv": {"A": "${localEnv:HOME}"}\n}';
    const rep = complianceReport(parseDevcontainer(text, { file: 'f' }));
    expect(rep.entries.map((e) => `${e.line}:${e.column} ${e.status} ${e.property}`)).toEqual([
      '2:2 honoured image',
      '3:12 honoured build.args',
      '4:2 caveat shutdownAction',
      '5:32 caveat customizations.vscode.extensions',
      '5:51 ignored customizations.jetbrains',
      '6:2 unknown mystery',
      '7:2 honoured containerEnv',
      '7:19 caveat ${localEnv}',
    ]);
    expect(rep.counts).toEqual({ honoured: 3, caveat: 3, ignored: 1, unknown: 1 });
    expect(rep.entries.find((e) => e.property === 'shutdownAction')?.note).toMatch(/pod/);
  });

  it('the table covers every top-level property of the schema, with a note for every caveat and ignored one', () => {
    const inTable = new Set(COMPLIANCE_TABLE.map((r) => r.property.split('.')[0]));
    for (const p of Object.keys(devcontainerProperties)) expect(inTable.has(p), p).toBe(true);
    for (const r of COMPLIANCE_TABLE) if (r.status !== 'honoured') expect(r.note.length, r.property).toBeGreaterThan(10);
  });

  it('the README holds the whole table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const r of COMPLIANCE_TABLE)
      expect(readme, r.property).toMatch(new RegExp(`\\|\\s*\`${esc(r.property)}\`\\s*\\|\\s*${r.status}\\s*\\|`));
  });
});
