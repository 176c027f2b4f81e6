"""The pages of no one area: the public home page, the staff dashboard, the safety page
(`/safety`, readable offline) and health (`/api/v1/health`)."""
