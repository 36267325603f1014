/** The store contract against the in-memory store (no Java, milliseconds). */
import { MemoryProfileStore } from '../../functions/adapters/memory/memory-profile-store.js';
import { profileStoreContract } from './profile-store.contract.js';

profileStoreContract('memory', async (options) => {
  const store = new MemoryProfileStore(options);
  return { store, items: store.itemStore, all: async () => store.snapshot() };
});
