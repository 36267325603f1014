import { MemoryMessageStore } from '../../../functions/adapters/memory/memory-message-store.js';
import { describeMessageStoreContract } from '../../contract/message-store.js';

describeMessageStoreContract('memory', async () => new MemoryMessageStore());
