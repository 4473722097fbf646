"""A cheap HTTP/1.1 load generator: keep-alive connections over asyncio streams.

A full client library spends more CPU per request than a lean server does; on a machine
whose cores the server shares, that would measure the client. Requests are encoded before
the clock starts and each answer is read only as far as its status and length.
"""

import asyncio


def post_request(host: str, port: int, path: str, body: bytes,
                 headers: dict[str, str]) -> bytes:
    """The bytes of one keep-alive POST."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One keep-alive connection; ``send`` returns the answer's status code."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Connections opened on demand (up to ``limit``) and reused."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.opened: list[Connection] = []

    async def send(self, request: bytes) -> int:
        async with self.slots:
            if self.idle:
                connection = self.idle.pop()
                try:
                    status = await connection.send(request)
                except ConnectionResetError:
                    # Idle past the server's keep-alive timeout: it closed it unread.
                    connection = await self._open()
                    status = await connection.send(request)
            else:
                connection = await self._open()
                status = await connection.send(request)
            self.idle.append(connection)
            return status

    async def _open(self) -> Connection:
        connection = await Connection.open(self.host, self.port)
        self.opened.append(connection)
        return connection

    def close(self) -> None:
        for connection in self.opened:
            connection.close()
