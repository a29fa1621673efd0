import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function IntegrationPage() {
  return (
    <Layout title="IntegrationPage">
      <p>Not built yet.</p>
    </Layout>
  );
}
