import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function TryAction() {
  return (
    <Layout title="TryAction">
      <p>Not built yet.</p>
    </Layout>
  );
}
