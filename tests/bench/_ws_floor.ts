/**
 * The floor for the Realtime fan-out benchmark: a plain WebSocket server that relays every
 * text frame to every other socket, with no protocol, no authorization and no JSON parsing.
 * Prints "READY <port>".
 */
const sockets = new Set<WebSocket>();
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`READY ${port}`),
}, (req) => {
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (e) => {
    for (const s of sockets) if (s !== socket && s.readyState === WebSocket.OPEN) s.send(e.data);
  };
  return response;
});
Deno.addSignalListener("SIGTERM", () => server.shutdown());
await server.finished;
