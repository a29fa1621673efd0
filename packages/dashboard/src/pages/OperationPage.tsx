import { Layout } from '../Layout';

/** Placeholder until the page is built. */
export function OperationPage() {
  return (
    <Layout title="OperationPage">
      <p>Not built yet.</p>
    </Layout>
  );
}
