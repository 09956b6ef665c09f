// The team filter of every read of datasets, and of what hangs off them (model runs): written once, here beside the
// principal's visibility, so that the domains that need it do not import each other's repositories.
import type { SelectQueryBuilder } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Visibility } from './principal.js';

/** Only the datasets `visibility` allows: public ones (team null) and those of its teams; every one for EVERY_TEAM. */
export function visibleDatasets<O>(select: SelectQueryBuilder<Tables, 'datasets', O>, visibility: Visibility): SelectQueryBuilder<Tables, 'datasets', O> {
  if (visibility.all) return select;
  if (visibility.teams.length === 0) return select.where('datasets.team', 'is', null);
  const teams = [...visibility.teams];
  return select.where((eb) => eb.or([eb('datasets.team', 'is', null), eb('datasets.team', '=', eb.fn.any(eb.val(teams)))]));
}
