import { useState, type ReactElement } from 'react';

/** Copies `text` to the clipboard and says so for a moment (announced to screen readers). */
export function CopyButton({ text, label }: { readonly text: string; readonly label: string }): ReactElement {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => {
        setStatus('copied');
      },
      () => {
        setStatus('failed');
      },
    );
    setTimeout(() => {
      setStatus('idle');
    }, 2000);
  };
  return (
    <>
      <button type="button" className="button small" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" className="copy-status">
        {status === 'copied' ? 'Copied' : status === 'failed' ? 'Copy failed: select the text instead' : ''}
      </span>
    </>
  );
}
