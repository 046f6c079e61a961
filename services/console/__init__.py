"""The officials' console: named officer accounts, sign-in, and pages per role that
call the five services' public HTTP APIs with the officer's short-lived token."""
