"""What every area of the web app uses: settings, the app's context and its dependencies, CSRF,
security headers, error pages, the fail-safe, templates, languages and logs. It imports no area."""
