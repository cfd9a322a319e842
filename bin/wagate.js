#!/usr/bin/env node
// The package's command. Node >= 24 runs the TypeScript sources directly (type stripping), so there is no build step.
import '../server/cli.ts';
