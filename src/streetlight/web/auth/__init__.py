"""Staff authentication: argon2id passwords, TOTP codes, server-side sessions and the sign-in
procedure that combines them with database-kept rate limits."""
