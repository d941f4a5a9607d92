/** The account's home from the password database, as dirs-sys falls back to when $HOME is empty. */
import { homedir, userInfo } from 'node:os';

export function accountHomeDir(): string {
  try {
    return userInfo().homedir;
  } catch {
    return homedir();
  }
}
