"""Staff sign-in and sign-out pages and security keys: the HTTP side of `streetlight.staff`."""
