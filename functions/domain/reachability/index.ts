/** Reachability: which channels may carry a message to a customer now, in which order, and why (pure). */
export * from './addresses.js';
export * from './plan.js';
export * from './quiet-hours.js';
export * from './types.js';
