#!/usr/bin/env node
import { main } from './index';

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('nango: unexpected failure', error);
    process.exitCode = 1;
  },
);
