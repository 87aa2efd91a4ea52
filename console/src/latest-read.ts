// Overlapping reads of one view (a click, an order changing, an action's own re-read): only the newest one's answer
// may land, so an older answer arriving late never puts back a list that no longer holds (a rule just added, another
// service's rules).
export class LatestRead {
  private issued = 0;

  /** Call as a read starts; `isLatest(ticket)` when its answer arrives. */
  start(): number {
    this.issued += 1;
    return this.issued;
  }

  isLatest(ticket: number): boolean {
    return ticket === this.issued;
  }
}
