import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function Connections() {
  return (
    <Layout title="Connections">
      <p>Not built yet.</p>
    </Layout>
  );
}
