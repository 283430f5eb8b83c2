#!/usr/bin/env node
import { packageName } from './package-info.js';

// Scaffold entry point: the commands arrive with this package's issue.
process.stderr.write(`coder-logstream (${packageName}): no commands yet\n`);
process.exitCode = 2;
