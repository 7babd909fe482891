import type { HooklineClient } from '../api/client';
import type { Flags } from './args';
import type { Output } from './output';

export interface CommandContext {
  api: HooklineClient;
  flags: Flags;
  positionals: string[];
  out: Output;
  readStdin(): Promise<string>;
  /** Ends a long-running command (tail) as Ctrl-C does. */
  stopped: Promise<void>;
}

export interface Command {
  usage: string;
  summary: string;
  options?: Record<string, 'string' | 'boolean'>;
  run(ctx: CommandContext): Promise<void>;
}

/** Commands by group and verb; a group with one command under '' takes no verb (`hookline recover`). */
export type CommandTable = Record<string, Record<string, Command>>;
