// Every command, in the order `paddock --help` lists them within their groups.
import type { Command } from '../command.js';
import { login, logout, signup, tokens, tokensCreate, tokensRevoke, whoami } from './account.js';
import { allCommands, help, versionCommand } from './help.js';

export const commands: readonly Command[] = [
  signup, login, logout, whoami, tokens, tokensCreate, tokensRevoke,
  help, versionCommand,
];

allCommands.push(...commands);
