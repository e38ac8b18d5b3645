// Signing in (登录) for every page, through the platform's identity provider (Keycloak):
// OpenID Connect Authorization Code + PKCE, done by the vendored oidc-client-ts
// (/app/kit/oidc-client-ts.js), not by hand. Served at /app/kit/oidc-session.js; kit.js uses it.
//
// - Tokens live in this module's memory only: never in a URL, never in localStorage or
//   sessionStorage. Only the login round trip's `state` and PKCE verifier (no token) are kept
//   in sessionStorage, because they must outlive the redirect; the library removes them after.
// - The access token is refreshed silently with the refresh token before it expires
//   (automaticSilentRenew); when that fails, or the page is reloaded, the browser goes back to
//   the provider, whose session cookie brings it straight back without a password.
// - The login page is asked for in Chinese (ui_locales=zh-CN); 退出登录 ends the provider's
//   session too (RP-initiated logout), and returns to this page, hence to the login page.

const LIBRARY = "/app/kit/oidc-client-ts.js";
const CONFIG = "/app/kit/oidc.json";

let manager = null;
let current = null; // the signed-in user (tokens and claims), in memory only

/** Where this service's pages sign in: `{issuer, client_id}`, or `{}` without sign-in. */
export async function signinConfig() {
  try {
    const answer = await fetch(CONFIG, { cache: "no-store", credentials: "omit" });
    return answer.ok ? await answer.json() : {};
  } catch {
    return {};
  }
}

/** The library is a classic script defining the global `oidc`; loaded once, from our origin. */
function library() {
  if (globalThis.oidc) return Promise.resolve(globalThis.oidc);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = LIBRARY;
    script.onload = () => resolve(globalThis.oidc);
    script.onerror = () => reject(new Error("登录组件加载失败"));
    document.head.append(script);
  });
}

function here() {
  return location.origin + location.pathname; // registered exactly, without query or fragment
}

function userManager(lib, config) {
  return new lib.UserManager({
    authority: config.issuer,
    client_id: config.client_id,
    redirect_uri: here(),
    post_logout_redirect_uri: here(),
    response_type: "code",
    scope: "openid",
    ui_locales: "zh-CN",
    userStore: new lib.WebStorageStateStore({ store: new lib.InMemoryWebStorage() }),
    stateStore: new lib.WebStorageStateStore({ prefix: "cppcc.signin.", store: sessionStorage }),
    automaticSilentRenew: true,
    loadUserInfo: false,
    monitorSession: false,
  });
}

/** Go to the login page; the fragment (e.g. `#member=…`) comes back with the user. */
export function toLogin() {
  return manager.signinRedirect({ state: { hash: location.hash } });
}

/**
 * The signed-in user. On the way back from the login page the code is exchanged (and removed
 * from the address bar); otherwise the browser is sent to the login page and this never
 * resolves. Throws when the provider refused or the round trip cannot be completed.
 */
export async function signIn(config) {
  manager = userManager(await library(), config);
  const query = new URLSearchParams(location.search);
  if (!query.has("state") || !(query.has("code") || query.has("error"))) {
    await toLogin();
    return new Promise(() => {}); // leaving for the login page
  }
  let user;
  try {
    user = await manager.signinRedirectCallback();
  } finally {
    // The code is single-use, but it never stays in the address bar or the history.
    history.replaceState(null, "", location.pathname + (user?.state?.hash || ""));
  }
  current = user;
  manager.events.addUserLoaded((renewed) => {
    current = renewed;
  });
  // Refresh failed and the token ran out (the provider's session ended): sign in again.
  manager.events.addAccessTokenExpired(() => toLogin());
  return user;
}

/** The current access token (refreshed silently), or null when not signed in this way. */
export function accessToken() {
  return current ? current.access_token : null;
}

/** 退出登录: forget the tokens, end the provider's session, come back to the login page. */
export async function signOut() {
  const idToken = current?.id_token;
  current = null;
  await manager.removeUser();
  await manager.signoutRedirect({ id_token_hint: idToken, post_logout_redirect_uri: here() });
}
