"""Staff accounts and how they sign in: argon2id passwords, TOTP codes (sealed under the server's
secret key), security keys (WebAuthn), the sign-in procedure with its database-kept rate limits,
and server-side sessions. No HTTP here: the web app's sign-in pages and session cookie are in
`streetlight.web`, and `streetlight staff` creates accounts from the command line."""
