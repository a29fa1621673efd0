import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function Logs() {
  return (
    <Layout title="Logs">
      <p>Not built yet.</p>
    </Layout>
  );
}
