/** Lambda entry: the Cognito pre-token-generation trigger of the console's user pool (groups → scopes). */
import { createConsoleTokenHandler } from '../../handlers/console-token.js';

export const handler = createConsoleTokenHandler();
