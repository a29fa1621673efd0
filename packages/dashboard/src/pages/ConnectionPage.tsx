import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function ConnectionPage() {
  return (
    <Layout title="ConnectionPage">
      <p>Not built yet.</p>
    </Layout>
  );
}
