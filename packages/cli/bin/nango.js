#!/usr/bin/env node
// The installed command. It is a file in git, not the build's output, so that `npm ci` links it (npm skips a bin
// whose file does not exist yet, and workspaces are built only after linking); the command itself is dist/cli.js.
require('../dist/cli.js');
