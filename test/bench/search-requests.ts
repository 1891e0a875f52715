import type autocannon from 'autocannon';

/**
 * The mix of public searches each connection cycles through: names with accents, apostrophes and a
 * typo, an organisation, filters alone and combined, and the unfiltered first page. The names are
 * among the seeded ones (src/modules/seed/fake-mediators.ts), so every search finds something.
 */
const QUERIES = ['', 'q=zoe', "q=o'neill", 'q=patel&region=london', 'q=jonh', 'q=mediation%20service', 'region=north_west', 'language=cy', 'body=cmc&region=south_west', 'q=siobhan&language=en'];

export const searchRequests = (): autocannon.Request[] => QUERIES.map((q) => ({ method: 'GET', path: `/v1/register${q ? `?${q}` : ''}` }));

export const searchQueryStrings = () => [...QUERIES];
