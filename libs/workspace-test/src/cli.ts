#!/usr/bin/env node
import { packageName } from './package-info.js';

// Scaffold entry point: the commands arrive with this package's issue.
process.stderr.write(`workspace-test (${packageName}): no commands yet\n`);
process.exitCode = 2;
