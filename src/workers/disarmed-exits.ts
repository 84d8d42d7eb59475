/** Long past any trigger's cancellation reaching it: an arm id is only ever checked within seconds. */
const KEEP_MS = 10 * 60_000;

/**
 * Exit intents their workflow has taken back (a pause, a modification, any
 * wake-up that re-arms), told from the workflow through a sink the moment it
 * cancels the trigger. Activity cancellation reaches a waiting trigger only
 * with its next heartbeat, seconds later; in the meantime a crossing at the
 * old level must not sell. The trigger checks here before it places.
 */
export class DisarmedExits {
  private readonly at = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  add(armId: string): void {
    const now = this.now();
    this.at.set(armId, now);
    for (const [id, t] of this.at) if (now - t > KEEP_MS) this.at.delete(id);
  }

  has(armId: string): boolean {
    return this.at.has(armId);
  }
}
