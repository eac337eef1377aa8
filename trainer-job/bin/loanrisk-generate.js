#!/usr/bin/env node
import '../dist/src/generate-main.js';
