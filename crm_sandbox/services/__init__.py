"""Business rules, one function per thing a user does. Views, the CLI, seeders and tests call
these; none of them touches a Flask request."""
