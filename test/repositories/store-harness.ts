// What a store contract needs from an engine: fresh stores on an empty database, and a second set on the same one.
import type { Stores } from '../../src/repositories/types.js';

export interface StoreHarness {
  stores: Stores;
  /** New stores on the same database, as a second app instance (or a restarted one) would have. */
  reopen(): Stores;
  close(): Promise<void>;
}

export type MakeStores = () => Promise<StoreHarness>;
