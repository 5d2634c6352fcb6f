/** jest globalTeardown: stops the servers global setup started (whole process groups). */
import { STOP_KEY } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const stop = Reflect.get(globalThis, STOP_KEY);
  Reflect.deleteProperty(globalThis, STOP_KEY);
  if (typeof stop === 'function') await (stop as () => Promise<void>)();
}
