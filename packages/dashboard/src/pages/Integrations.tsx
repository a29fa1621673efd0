import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function Integrations() {
  return (
    <Layout title="Integrations">
      <p>Not built yet.</p>
    </Layout>
  );
}
