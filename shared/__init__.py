"""otg's common library: envelope, event store, relay, inbox, messaging, HTTP, auth, config, clock."""
import warnings

# eventlet warns on every import (STACK-NOTES 12); the message, not the category, is stable.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
