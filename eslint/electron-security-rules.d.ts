export interface SyntaxRule {
  readonly selector: string;
  readonly message: string;
  /** A line that breaks the rule, to show that it is caught. */
  readonly violation: string;
}
export declare const ELECTRON_SYNTAX_RULES: readonly SyntaxRule[];
/** ipcMain listeners are registered in one module, where every message's sender is checked. */
export declare const IPC_RULE: SyntaxRule;
