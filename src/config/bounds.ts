import type { ByteBounds } from './units.ts';

// A leaf: the protocols' options (src/protocols/) parse sizes too, and config/schema.ts takes their options from the
// registry.

/** A fixture can be 16 KiB (the smallest valid SST we write) to 4 GiB. */
export const SIZE_BOUNDS: ByteBounds = { min: 16 * 1024, max: 4 * 2 ** 30 };
