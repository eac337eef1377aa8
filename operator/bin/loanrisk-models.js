#!/usr/bin/env node
// The loanrisk-models command; built by `npm run build` into dist/.
import '../dist/src/cli/loanrisk-models.js';
