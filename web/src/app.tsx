/**
 * The desk: a header with the three views and the API key, and the views themselves. The view
 * is in the address (#/applicant, #/portfolio[/<batch>], #/model), so the browser's back button
 * and bookmarks work; a view once opened stays mounted, so a running batch survives a look at the model.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CredentialButton } from './components/credential-dialog.js';
import { ApplicantView } from './views/applicant-view.js';
import { ModelView } from './views/model-view.js';
import { PortfolioView } from './views/portfolio-view.js';

const VIEWS = [
  { id: 'applicant', title: 'One applicant', heading: 'Will this applicant be late?' },
  { id: 'portfolio', title: 'Portfolio', heading: 'Score a portfolio of loan holders' },
  { id: 'model', title: 'Model', heading: 'The model in service' },
] as const;

type ViewId = (typeof VIEWS)[number]['id'];

interface Route {
  readonly view: ViewId;
  readonly param: string | undefined;
}

function readRoute(): Route {
  const [, view, param] = location.hash.replace(/^#\/?/, '/').split('/');
  const known = VIEWS.find((v) => v.id === view);
  return { view: known ? known.id : 'applicant', param: param ? decodeURIComponent(param) : undefined };
}

/** The route in the address, the views opened so far and the portfolio's batch, kept as the address changes. */
function useRoute(): { route: Route; opened: ReadonlySet<ViewId>; batch: string | undefined } {
  const [route, setRoute] = useState(readRoute);
  const [opened, setOpened] = useState<ReadonlySet<ViewId>>(() => new Set([readRoute().view]));
  const [batch, setBatch] = useState(() => (readRoute().view === 'portfolio' ? readRoute().param : undefined));

  useEffect(() => {
    const follow = () => {
      const next = readRoute();
      setRoute(next);
      if (next.view === 'portfolio') setBatch(next.param);
      setOpened((o) => (o.has(next.view) ? o : new Set([...o, next.view])));
    };
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return { route, opened, batch };
}

function Topbar({ view }: { view: ViewId }) {
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true">
            PL
          </span>
          <span>
            PeerLoan <span class="brand-sub">Risk desk</span>
          </span>
        </span>
        <nav aria-label="Views" class="views-nav">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.id}>
                <a href={`#/${v.id}`} id={`nav-${v.id}`} aria-current={view === v.id ? 'page' : undefined}>
                  {v.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <CredentialButton />
      </div>
    </header>
  );
}

export function App() {
  const { route, opened, batch } = useRoute();
  const headings = useRef<Partial<Record<ViewId, HTMLHeadingElement | null>>>({});
  const first = useRef(true);

  useEffect(() => {
    const view = VIEWS.find((v) => v.id === route.view);
    document.title = `${view?.title ?? ''} · PeerLoan risk desk`;
    if (first.current) {
      first.current = false;
      return;
    }
    // A new view is a new page to a screen reader: move to its heading.
    headings.current[route.view]?.focus();
  }, [route.view]);

  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          headings.current[route.view]?.focus();
        }}
      >
        Skip to content
      </a>
      <Topbar view={route.view} />
      <main id="main" class="container-wide">
        {VIEWS.map((v) =>
          opened.has(v.id) ? (
            <section key={v.id} id={`view-${v.id}`} hidden={route.view !== v.id} aria-labelledby={`heading-${v.id}`}>
              <h2
                id={`heading-${v.id}`}
                tabIndex={-1}
                class="view-heading"
                ref={(el) => {
                  headings.current[v.id] = el;
                }}
              >
                {v.heading}
              </h2>
              {v.id === 'applicant' && <ApplicantView />}
              {v.id === 'portfolio' && <PortfolioView batchId={batch} />}
              {v.id === 'model' && <ModelView />}
            </section>
          ) : null,
        )}
      </main>
    </>
  );
}
