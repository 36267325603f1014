/** In-memory `SecretProblemLog` for handler tests. */
import type { SecretProblemLog, SecretProblems } from '../../ports.js';

export class MemorySecretProblemLog implements SecretProblemLog {
  private readonly entries = new Map<string, SecretProblems>();

  async report(connector: string, problems: readonly string[], at: Date): Promise<void> {
    this.entries.set(connector, { problems: [...problems], at: at.toISOString() });
  }

  async latest(connector: string): Promise<SecretProblems | undefined> {
    return this.entries.get(connector);
  }
}
