"""The otg application: the `otg` command, the development runner, the demo and the
event docs generator. It knows the services (`services/`) and hands what the library
(`shared/`, which imports no service) needs from them to it."""
