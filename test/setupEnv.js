// Every worker a test starts, in process or spawned (children inherit process.env), listens for HTTP on an
// ephemeral port unless the test says otherwise: the default 3003 would collide between workers and test files.
process.env.NANGO_PORT ??= '0';
