import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function Overview() {
  return (
    <Layout title="Overview">
      <p>Not built yet.</p>
    </Layout>
  );
}
