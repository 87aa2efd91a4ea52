// Where "now" comes from: injected so rules and tests never read the wall clock themselves.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
