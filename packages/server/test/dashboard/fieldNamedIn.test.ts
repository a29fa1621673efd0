import { FILTER_PLACES } from '../../../dashboard/src/checks/connectionFilters';
import { fieldNamedIn } from '../../../dashboard/src/checks/fieldNamedIn';

/** The Connections page puts a 400 that names a filter next to that filter. */
describe('a server error mapped to its form field', () => {
  it('finds the field the message starts with, or names after a semicolon', () => {
    expect(fieldNamedIn('querystring/search must NOT have more than 255 characters', FILTER_PLACES)).toBe('search');
    expect(fieldNamedIn('querystring/tags[plan]: a tag key is 1 to 64 characters', FILTER_PLACES)).toBe('tag');
    expect(fieldNamedIn('querystring/limit is bad; querystring/endUserId is bad', FILTER_PLACES)).toBe('endUserId');
    expect(fieldNamedIn('querystring/integrationId names no integration', FILTER_PLACES)).toBe('integrationId');
  });

  it('does not take a longer name for a shorter one', () => {
    expect(fieldNamedIn('querystring/searchText is unknown', FILTER_PLACES)).toBeNull();
  });

  it('is null for a message that names no field of the form', () => {
    expect(fieldNamedIn('querystring/limit must be >= 1', FILTER_PLACES)).toBeNull();
    expect(fieldNamedIn('No Connection on that integration', FILTER_PLACES)).toBeNull();
  });
});
