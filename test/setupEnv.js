// Every worker a test starts, in process or spawned (children inherit process.env), listens for HTTP on an
// ephemeral port unless the test says otherwise: the default 3003 would collide between workers and test files.
process.env.NANGO_PORT ??= '0';
// The background check of credentials is off unless a test turns it on (its own tests do): its first cycle, five
// seconds after a start, would refresh the tokens tests register to expire soon, out from under the call under test.
process.env.NANGO_CREDENTIALS_CHECK_INTERVAL_S ??= '0';
