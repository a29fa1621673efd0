import {
  checkFilters,
  filtersFromQuery,
  filtersToQuery,
  listQuery,
  parseTag,
} from '../../../dashboard/src/checks/connectionFilters';

describe('the Connections filters', () => {
  it('reads the address and writes it back, leaving out what is empty and page 1', () => {
    const filters = filtersFromQuery({ search: 'acme', tag: 'plan=pro', authorization: 'needs_reauthorization', page: '3' });
    expect(filters).toEqual({
      search: 'acme',
      integrationId: '',
      endUserId: '',
      tag: 'plan=pro',
      needsReauthorization: true,
      page: 3,
    });
    expect(filtersToQuery({ ...filters, page: 1 })).toEqual({
      search: 'acme',
      integrationId: '',
      endUserId: '',
      tag: 'plan=pro',
      authorization: 'needs_reauthorization',
      page: '',
    });
  });

  it('takes page 1 for a page that is not a whole number from 1', () => {
    for (const page of ['0', '-2', '1.5', 'x', '99999999']) expect(filtersFromQuery({ page }).page).toBe(1);
  });

  it('asks the API for tags[key]=value, the 0-based page and the reauthorization filter', () => {
    const filters = filtersFromQuery({
      tag: ' Plan = pro ',
      integrationId: 'slack',
      authorization: 'needs_reauthorization',
      page: '2',
    });
    expect(listQuery(filters, 50)).toEqual({
      search: '',
      integrationId: 'slack',
      endUserId: '',
      limit: 50,
      page: 1,
      authorization: 'needs_reauthorization',
      'tags[Plan]': 'pro',
    });
  });

  it('names a tag without =, without a key or value, or too long', () => {
    expect(parseTag('plan')).toEqual({ error: 'Write the tag as key=value (for example plan=pro).' });
    expect(parseTag('=pro')).toEqual({ error: 'The tag needs a key before the = (for example plan=pro).' });
    expect(parseTag('plan=')).toEqual({ error: 'The tag needs a value after the = (for example plan=pro).' });
    expect(parseTag(`${'k'.repeat(65)}=v`)).toEqual({ error: "The tag's key is 65 characters; at most 64." });
    expect(parseTag('url=a=b')).toEqual({ key: 'url', value: 'a=b' });
  });

  it('names each filter that is wrong, and none when all are right', () => {
    const wrong = filtersFromQuery({ search: 's'.repeat(256), endUserId: 'u'.repeat(300), tag: 'nope' });
    expect(checkFilters(wrong)).toEqual({
      search: 'The search is 256 characters; at most 255.',
      endUserId: 'The end user id is 300 characters; at most 255.',
      tag: 'Write the tag as key=value (for example plan=pro).',
    });
    expect(checkFilters(filtersFromQuery({ search: 'acme', tag: 'a=b' }))).toEqual({});
  });
});
