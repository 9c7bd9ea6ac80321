// Auth0 Universal Login and logout addresses, built from configuration only.
import type { Config } from '../config.js';

type Auth0 = NonNullable<Config['auth']['auth0']>;

/** Either the address to redirect to, or why this server cannot offer the redirect. */
export type Redirect = { url: string } | { problem: string };

/** The front end's origin: the first CORS origin, where Auth0 sends the user back. */
function frontEnd(config: Config): string | undefined {
  const first = config.corsOrigins[0];
  return first && first !== '*' ? first : undefined;
}

function prerequisites(config: Config): { auth0: Auth0; clientId: string; origin: string } | string {
  const { auth0 } = config.auth;
  if (!auth0)
    return 'Auth0 is not configured on this server (set AUTH0_DOMAIN and AUTH0_AUDIENCE); it accepts HS256 bearer tokens signed with JWT_SECRET';
  if (!auth0.clientId) return 'AUTH0_CLIENT_ID is not configured on this server';
  const origin = frontEnd(config);
  if (!origin) return 'CORS_ORIGIN must name the front end (not *) for the Auth0 redirects';
  return { auth0, clientId: auth0.clientId, origin };
}

export function loginRedirect(config: Config, state: string): Redirect {
  const p = prerequisites(config);
  if (typeof p === 'string') return { problem: p };
  const url = new URL('authorize', p.auth0.issuer);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    audience: p.auth0.audience,
    scope: 'openid profile email',
    state,
    redirect_uri: p.origin,
  }).toString();
  return { url: url.href };
}

export function logoutRedirect(config: Config): Redirect {
  const p = prerequisites(config);
  if (typeof p === 'string') return { problem: p };
  const url = new URL('v2/logout', p.auth0.issuer);
  url.search = new URLSearchParams({ client_id: p.clientId, returnTo: p.origin }).toString();
  return { url: url.href };
}
