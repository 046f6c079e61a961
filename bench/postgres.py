"""Throwaway databases on the local PostgreSQL for a bench, dropped afterwards."""


class Throwaway:
    def __init__(self, server):
        self.server, self.names = server.rstrip("/"), []

    def create(self, name):
        """A new empty database; its URL."""
        self._admin(f"CREATE DATABASE {name}")
        self.names.append(name)
        return f"{self.server}/{name}"

    def drop_all(self):
        for name in self.names:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.names = []

    def _admin(self, sql):
        import psycopg2  # the bench's extra: only a run on PostgreSQL needs it
        conn = psycopg2.connect(f"{self.server}/postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()
