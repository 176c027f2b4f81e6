"""The officer app (duty, engagements and their codes) and the signed-in staff member's own API
(`/api/v1/me`)."""
