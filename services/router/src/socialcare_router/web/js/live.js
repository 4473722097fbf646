// The live feed: server-sent events from /v1/live read with fetch, because EventSource
// cannot send the X-API-Key header (and the key must never go into a URL).

import { session } from "./api.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parse(block) {
  let type = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;  // heartbeat comments
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") data += value;
  }
  return { type, data };
}

// Calls onEvent({type: "conversation", data}) per update and {type: "resync"} whenever
// updates may have been missed (reconnect, overflow); onState("live" | "reconnecting").
export function startLive(onEvent, onState) {
  let stopped = false;
  let controller;
  let delay = 1000;
  (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch("/v1/live", {
          headers: { "X-API-Key": session.key ?? "", Accept: "text/event-stream" },
          signal: controller.signal, cache: "no-store",
        });
        if (!response.ok) throw new Error(`live feed answered ${response.status}`);
        onState("live");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event.type === "conversation") onEvent({ type: "conversation", data: JSON.parse(event.data) });
            else if (event.type === "overflow") onEvent({ type: "resync" });
          }
        }
      } catch {
        if (stopped) return;
      }
      if (stopped) return;
      onState("reconnecting");
      await sleep(delay);
      delay = Math.min(delay * 2, 30000);
      onEvent({ type: "resync" });
    }
  })();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
