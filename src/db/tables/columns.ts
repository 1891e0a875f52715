import { customType, pgEnum, timestamp } from 'drizzle-orm/pg-core';

/** Case-insensitive text (citext extension): emails compare and stay unique regardless of case. */
export const citext = customType<{ data: string }>({ dataType: () => 'citext' });

/** Text compared byte by byte ("C" collation): the same order on every server, whatever its locale. */
export const collatedText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const bodyEnum = pgEnum('body', ['com', 'cmc']);
export const roleEnum = pgEnum('user_role', ['mediator', 'assessor', 'admin', 'registrar']);
export const mediatorStatusEnum = pgEnum('mediator_status', ['accredited', 'suspended', 'lapsed', 'removed']);
export const routeEnum = pgEnum('register_route', ['standards_2024', 'grandfathered_2018']);

export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
