/* global afterAll */
// Jest gives each test file its own module registry, so each file that compiles an action loads its own copy of
// esbuild, and each copy keeps a service process (and a worker thread) until it is stopped: a full run in one
// process used to end with one esbuild process per such file (89 seen). This file shares the test file's registry,
// so the copy stopped here is the one the file used (stopping a copy that never compiled does nothing).
afterAll(() => {
  require('esbuild').stop();
});
