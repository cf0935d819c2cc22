/**
 * Polls `condition` until it holds; throws naming `what` after `timeoutMillis`. For waiting on
 * asynchronous effects (a socket closing, a timer firing), never for asserting how long they took.
 */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMillis = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
