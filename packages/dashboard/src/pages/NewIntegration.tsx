import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function NewIntegration() {
  return (
    <Layout title="NewIntegration">
      <p>Not built yet.</p>
    </Layout>
  );
}
