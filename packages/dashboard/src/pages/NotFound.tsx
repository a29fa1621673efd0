import { Layout } from '../Layout';
import { paths } from '../paths';

export function NotFound() {
  return (
    <Layout title="Page not found">
      <p>
        No dashboard page here. <a href={paths.overview()}>Go to the overview</a>.
      </p>
    </Layout>
  );
}
