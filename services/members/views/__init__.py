"""The members service's read side: the GET endpoints' queries and the shapes they answer.

Each view opens the caller's unit of work, so row-level security scopes its SQL as it does
the commands'; the write-side repositories lend their row mappers, never their queries.
"""
