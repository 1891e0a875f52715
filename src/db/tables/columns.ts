import { customType, pgEnum, timestamp } from 'drizzle-orm/pg-core';
import { BODIES, ENTRY_STATUSES, ROLES, ROUTES } from '../../domain/vocabulary.ts';

/** Case-insensitive text (citext extension): emails compare and stay unique regardless of case. */
export const citext = customType<{ data: string }>({ dataType: () => 'citext' });

/** Text compared byte by byte ("C" collation): the same order on every server, whatever its locale. */
export const collatedText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const bodyEnum = pgEnum('body', BODIES);
export const roleEnum = pgEnum('user_role', ROLES);
export const mediatorStatusEnum = pgEnum('mediator_status', ENTRY_STATUSES);
export const routeEnum = pgEnum('register_route', ROUTES);

export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
