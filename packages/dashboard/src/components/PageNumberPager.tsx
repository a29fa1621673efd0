/**
 * Previous / next links of a list the API pages by number. The API says nothing of a total (counting 10,000
 * Connections on every page would cost more than the page), so "Next" shows only when a full page came back.
 */
export function PageNumberPager(props: { page: number; fullPage: boolean; hrefOf: (page: number) => string; label: string }) {
  if (props.page <= 1 && !props.fullPage) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      {props.page > 1 && (
        <a class="button" href={props.hrefOf(props.page - 1)} rel="prev">
          Previous
        </a>
      )}
      <span>Page {props.page}</span>
      {props.fullPage && (
        <a class="button" href={props.hrefOf(props.page + 1)} rel="next">
          Next
        </a>
      )}
    </nav>
  );
}
