// Integration tests need the real RabbitMQ. Fail loudly with how to start it, never skip silently.
const net = require('node:net');

module.exports = async function requireBroker() {
  const url = new URL(process.env.NANGO_TEST_RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672');
  const port = Number(url.port || 5672);
  const reachable = await new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (!reachable) {
    throw new Error(
      `Integration tests need RabbitMQ at ${url.hostname}:${port} and none answered.\n` +
        'Start one with `docker compose up -d rabbitmq` or `rabbitmq-server -detached`,\n' +
        'or point NANGO_TEST_RABBITMQ_URL at yours.',
    );
  }
};
