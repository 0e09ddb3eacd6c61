import type { Policy, Product } from '../shared/types';

/** What the product or policy modal is doing: nothing, creating, or editing one. */
export type Editing< T > = { mode: 'closed' } | { mode: 'create' } | { mode: 'edit'; item: T };

export type ProductEditing = Editing< Product >;
export type PolicyEditing = Editing< Policy >;
