import { startReceiver } from '../../tools/testkit/receiver';

// A receiver in its own process, answering 200: the times it records are not held up by whatever the
// test process is busy with (publishing, an in-process API). Each request goes to the parent as a message.
void (async () => {
  const receiver = await startReceiver(200);
  let sent = 0;
  setInterval(() => {
    while (sent < receiver.requests.length) process.send!(receiver.requests[sent++]);
  }, 20);
  process.send!({ url: receiver.url });
})();
