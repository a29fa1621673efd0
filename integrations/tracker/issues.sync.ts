import { NangoSync } from '@nangohq/action';

/** An issue as the tracker's API lists it (examples/tracker-api.mjs plays that API). */
interface TrackerIssue {
  id: number;
  title: string;
  state: 'open' | 'closed';
  updated: number;
  deleted?: boolean;
}

/**
 * Mirrors the tracker's issues. The API lists issues changed since a point (`?since=`), oldest change first, with a
 * cursor to the next page: the first run reads everything, later runs only what changed since the checkpoint.
 * The checkpoint is saved after every page, so a run stopped half-way goes on from the last page it saved.
 */
export default class Issues extends NangoSync<{ since: number }> {
  override async fetchData(): Promise<void> {
    const since = (await this.getCheckpoint())?.since ?? 0;
    let saved = 0;
    const pages = this.paginate<TrackerIssue>({
      endpoint: '/issues',
      params: { since },
      paginate: {
        type: 'cursor',
        cursor_path_in_response: 'next',
        cursor_name_in_request: 'cursor',
        response_path: 'items',
        limit_name_in_request: 'limit',
        limit: 100,
      },
    });
    for await (const page of pages) {
      const live = page.filter((issue) => !issue.deleted);
      const deleted = page.filter((issue) => issue.deleted);
      if (live.length > 0) {
        await this.batchSave(
          live.map(({ id, title, state, updated }) => ({ id, title, state, updated })),
          'TrackerIssue',
        );
      }
      if (deleted.length > 0) await this.batchDelete(deleted, 'TrackerIssue');
      await this.saveCheckpoint({ since: (page[page.length - 1] as TrackerIssue).updated });
      saved += page.length;
    }
    this.logger.info(`read ${saved} changed issue(s) since ${since}`);
  }
}
