import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function Webhooks() {
  return (
    <Layout title="Webhooks">
      <p>Not built yet.</p>
    </Layout>
  );
}
