// Spectral ruleset for openapi.json: the OAS rules plus the OWASP API Security Top 10 (2023) ruleset.
// Linted offline by test/hardening/openapi-lint.test.ts (npm test fails on any error-severity result);
// the same file works with the Spectral CLI: `spectral lint openapi.json --ruleset .spectral.mjs`.
import owasp from '@stoplight/spectral-owasp-ruleset';
import rulesets from '@stoplight/spectral-rulesets';

// Request bodies (through their $refs, which Spectral resolves) and path/query parameters.
const requestStrings = ['$.paths[*][*].requestBody.content[*].schema..[?(@ && @.type=="string")]', '$.paths[*][*].parameters[?(@ && @.schema && @.schema.type=="string")].schema'];
const requestArrays = ['$.paths[*][*].requestBody.content[*].schema..[?(@ && @.type=="array")]', '$.paths[*][*].parameters[?(@ && @.schema && @.schema.type=="array")].schema'];
/** The OWASP rule as published, narrowed to what a client sends. */
const onRequests = (name, given) => ({ ...owasp.rules[name], given });

export default {
  extends: [
    [rulesets.oas, 'recommended'],
    [owasp, 'recommended'],
  ],
  rules: {
    // Resource exhaustion comes from what clients send, so maxLength/maxItems are required on every
    // request string and array (bodies, path and query parameters). Responses are written by the
    // server from data those limits already bound; a maxLength on them would document a limit that no
    // code enforces.
    'owasp:api4:2023-string-limit': onRequests('owasp:api4:2023-string-limit', requestStrings),
    'owasp:api4:2023-array-limit': onRequests('owasp:api4:2023-array-limit', requestArrays),

    // Off: rate limits are applied per route where a request is cheap to send and costly to serve or
    // guess (sign-in, registration, refresh, the public register: 429 with Retry-After, tested in
    // test/hardening/limits.test.ts); the rule wants limit headers on every 2xx/4xx response of every
    // route, which would describe headers most routes never send. (Documenting them on the limited
    // routes alone still fails the rule, and drags in CORS headers the API does not send either.)
    'owasp:api4:2023-rate-limit': 'off',

    // Off: there is one credential, a short-lived signed JWT; what it may do is its role claim,
    // checked on every route from the route's declared access (src/plugins/access.ts) and proved by
    // test/hardening/permissions.test.ts. A second "admin" scheme would be a name, not a control.
    'owasp:api5:2023-admin-security-unique': 'off',

    // Off: the only unauthenticated writes are the ones that obtain credentials (register, login,
    // refresh, claim), public by design and rate limited. Every route declares its access and the
    // app refuses to start on a route that does not (test/hardening/permissions.test.ts).
    'owasp:api2:2023-write-restricted': 'off',
  },
};
