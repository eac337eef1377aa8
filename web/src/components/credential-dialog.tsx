/**
 * The API key: a button in the header opens this dialog, and so does any request the server
 * refuses with 401 or 403 (through the gate in api.ts), which then tries again with the key given.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { setCredentialGate, type CredentialRequest } from '../api.js';
import { onCredentialChange, readCredential, saveCredential } from '../credential.js';

interface Asked {
  readonly request: CredentialRequest | undefined;
  readonly answer: (given: boolean) => void;
}

function reasonText(request: CredentialRequest): string {
  if (request.status === 403)
    return `The server knows this credential but does not allow it to do this (${request.message}). Enter a key with the right permission.`;
  return `The server asks for an API key or token (${request.message}).`;
}

/** Why the dialog is open: the server's refusal, or the user's own click. */
function DialogReason({ request }: { request: CredentialRequest | undefined }) {
  return request ? (
    <p class="dialog-reason" id="credential-reason">
      {reasonText(request)}
    </p>
  ) : (
    <p class="dialog-reason">
      Sent with every request while this tab is open; it is not written to disk. Leave it empty when the server does not
      ask for one.
    </p>
  );
}

function DialogButtons({ hasKey, finish }: { hasKey: boolean; finish: (given: boolean) => void }) {
  return (
    <footer>
      <button type="button" class="secondary" onClick={() => finish(false)}>
        Cancel
      </button>
      {hasKey && (
        <button
          type="button"
          class="secondary outline"
          id="credential-forget"
          onClick={() => {
            saveCredential('');
            finish(false);
          }}
        >
          Forget key
        </button>
      )}
      <button type="submit" id="credential-save">
        Use this key
      </button>
    </footer>
  );
}

export function CredentialButton() {
  const [asked, setAsked] = useState<Asked | undefined>(undefined);
  const [hasKey, setHasKey] = useState(readCredential() !== '');
  const [value, setValue] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => onCredentialChange(() => setHasKey(readCredential() !== '')), []);
  useEffect(() => {
    setCredentialGate(
      (request) =>
        new Promise<boolean>((resolve) => {
          setValue(readCredential());
          setAsked({ request, answer: resolve });
        }),
    );
  }, []);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (asked && !element.open) {
      element.showModal();
      input.current?.focus();
      input.current?.select();
    }
    if (!asked && element.open) element.close();
  }, [asked]);

  const finish = (given: boolean) => {
    asked?.answer(given);
    setAsked(undefined);
  };
  const open = () => {
    setValue(readCredential());
    setAsked({ request: undefined, answer: () => undefined });
  };

  return (
    <>
      <button type="button" class={`key-button ${hasKey ? 'has-key' : ''}`} id="credential-button" onClick={open}>
        <span aria-hidden="true" class="key-dot" />
        {hasKey ? 'API key set' : 'API key'}
      </button>
      <dialog
        ref={dialog}
        id="credential-dialog"
        aria-labelledby="credential-title"
        onCancel={(event) => {
          event.preventDefault();
          finish(false);
        }}
      >
        <article>
          <form
            method="dialog"
            onSubmit={(event) => {
              event.preventDefault();
              saveCredential(value);
              finish(value.trim() !== '');
            }}
          >
            <h2 id="credential-title">API key</h2>
            <DialogReason request={asked?.request} />
            <label for="credential">API key or token</label>
            <input
              ref={input}
              type="password"
              id="credential"
              name="credential"
              autocomplete="off"
              spellcheck={false}
              value={value}
              onInput={(event) => setValue(event.currentTarget.value)}
            />
            <DialogButtons hasKey={hasKey} finish={finish} />
          </form>
        </article>
      </dialog>
    </>
  );
}
